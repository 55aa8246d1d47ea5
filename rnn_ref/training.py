"""Training a recurrent network: the loss and its gradients, one update, and the loop over the data.

A model is "rnn", "gru" or "lstm", or a Model bundling any forward and backward with the same signatures
(forward(x, a0, parameters) returning (a, y_pred, ..., caches), backward(da, caches) returning gradients).
Training always starts from a0 = 0. Two losses:

- "cross_entropy": many-to-many classification. y is one-hot, (n_y, m, T), and the loss is
  sequence_cross_entropy of the softmax outputs y_pred at every step (rnn_ref.loss).
- "mse": many-to-one regression. y is (n_y, m), and the loss is the mean squared error of the linear output
  y_hat = Wy a<T> + by of the last step (rnn_ref.regression).

    parameters = initialize_lstm(n_x, n_a, n_y)
    parameters, history = train("lstm", parameters, batches, Adam(1e-2), epochs=20, clip_norm=5.0)

`batches` is a list of (x, y) pairs, x (n_x, m, T); every epoch goes through all of them, in order.
Nothing is changed in place: the parameters passed in are left as they were.
"""
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .gradients import clip_by_norm
from .gru import gru_backward, gru_forward
from .loss import _output_weights_name, output_layer_backward, sequence_cross_entropy, sequence_cross_entropy_backward
from .lstm import lstm_backward, lstm_forward
from .regression import (last_step_output_backward, last_step_output_forward, mean_squared_error,
                         mean_squared_error_backward)
from .rnn import rnn_backward, rnn_forward


@dataclass(frozen=True)
class Model:
    """A recurrent network as training sees it: its forward and backward passes over a whole sequence.

    - forward(x, a0, parameters) -> (a, y_pred, ..., caches): a (n_a, m, T) the hidden states, y_pred the
      softmax outputs (n_y, m, T), caches last (as rnn_forward, gru_forward, lstm_forward)
    - backward(da, caches) -> dict with "d" + name for every weight the forward uses (as rnn_backward, ...)
    - name: shown on the progress bar
    """
    forward: Callable
    backward: Callable
    name: str = "model"


MODELS = {
    "rnn": Model(rnn_forward, rnn_backward, "rnn"),
    "gru": Model(gru_forward, gru_backward, "gru"),
    "lstm": Model(lstm_forward, lstm_backward, "lstm"),
}


def _cross_entropy_head(a, y_pred, y, parameters):
    """Many-to-many classification: the loss, and the output layer's gradients {dWy, dby, da}."""
    loss = sequence_cross_entropy(y_pred, y)
    return loss, output_layer_backward(sequence_cross_entropy_backward(y_pred, y), a, parameters)


def _mse_head(a, y_pred, y, parameters):
    """Many-to-one regression on the last step: the loss, and the output layer's gradients {dWy, dby, da}."""
    y_hat = last_step_output_forward(a, parameters)
    loss = mean_squared_error(y_hat, y)
    return loss, last_step_output_backward(mean_squared_error_backward(y_hat, y), a, parameters)


LOSSES = {"cross_entropy": _cross_entropy_head, "mse": _mse_head}


def loss_and_gradients(model, parameters, x, y, loss="cross_entropy"):
    """The loss on one batch and its gradient with respect to every parameter.

    Inputs:
    - model: "rnn", "gru", "lstm" or a Model
    - parameters: the model's parameter dict
    - x: inputs, (n_x, m, T); y: targets, (n_y, m, T) for "cross_entropy", (n_y, m) for "mse"
    - loss: "cross_entropy" or "mse"

    Returns:
    - loss: float
    - gradients: dict with "d" + name for every name in parameters (and nothing else)

    Notes
    -----
    forward from a0 = 0, the loss and the output layer's backward (which gives dWy, dby and the da that
    reaches every hidden state), then backpropagation through time (which gives every other weight's gradient).
    """
    model, head = _model(model), _loss(loss)
    n_a = parameters[_output_weights_name(parameters)].shape[1]
    results = model.forward(x, np.zeros((n_a, x.shape[1])), parameters)
    a, y_pred, caches = results[0], results[1], results[-1]
    value, output_grads = head(a, y_pred, y, parameters)
    grads = {**model.backward(output_grads.pop("da"), caches), **output_grads}
    return value, {"d" + name: grads["d" + name] for name in parameters}


def train_step(model, parameters, x, y, optimizer, clip_norm=None, loss="cross_entropy"):
    """One update on one batch: the gradients, clipped to a global norm of clip_norm (if given), then the
    optimiser's step. Returns (new parameters, the loss before the update); `parameters` is left unchanged."""
    value, grads = loss_and_gradients(model, parameters, x, y, loss)
    if clip_norm is not None:
        grads = clip_by_norm(grads, clip_norm)
    return optimizer.step(parameters, grads), value


def train(model, parameters, batches, optimizer, epochs=1, clip_norm=None, progress=True, loss="cross_entropy"):
    """Train for a number of epochs, with a progress bar, and keep the history of the loss.

    Inputs:
    - model: "rnn", "gru", "lstm" or a Model
    - parameters: the initial parameters (e.g. from initialize_lstm); left unchanged
    - batches: a list (or any iterable, read once) of (x, y) pairs, x (n_x, m, T), y as `loss` wants it
    - optimizer: e.g. SGD(0.1, momentum=0.9) or Adam(1e-2); one optimiser object per training run
    - epochs: passes over the batches
    - clip_norm: if given, the gradients are scaled to a global L2 norm of at most clip_norm at every step
    - progress: show a progress bar (tqdm: a widget in a notebook, a text bar in a terminal)
    - loss: "cross_entropy" (many-to-many classification) or "mse" (many-to-one regression)

    Returns:
    - parameters: the trained parameters, a new dict
    - history: {"loss": the loss of every batch, in order (before its update), "epoch_loss": the mean of
      each epoch's batch losses}
    """
    from tqdm.auto import tqdm  # imported here, so that `import rnn_ref` needs NumPy only

    model, batches = _model(model), list(batches)
    _loss(loss)  # an unknown loss fails now, not after the first forward pass
    if not batches:
        raise ValueError("train needs at least one (x, y) batch")
    history = {"loss": [], "epoch_loss": []}
    with tqdm(total=epochs * len(batches), desc=f"training {model.name}", unit="batch",
              disable=not progress) as bar:
        for epoch in range(epochs):
            losses = []
            for x, y in batches:
                parameters, value = train_step(model, parameters, x, y, optimizer, clip_norm, loss)
                losses.append(value)
                bar.update()
                bar.set_postfix(epoch=epoch + 1, loss=f"{np.mean(losses):.4g}", refresh=False)
            history["loss"].extend(losses)
            history["epoch_loss"].append(float(np.mean(losses)))
    return parameters, history


def predict(model, parameters, x, loss="cross_entropy"):
    """The model's outputs on x from a0 = 0: the softmax outputs y_pred (n_y, m, T) for "cross_entropy", the
    last step's linear output y_hat (n_y, m) for "mse"."""
    model, _ = _model(model), _loss(loss)
    n_a = parameters[_output_weights_name(parameters)].shape[1]
    results = model.forward(x, np.zeros((n_a, x.shape[1])), parameters)
    return results[1] if loss == "cross_entropy" else last_step_output_forward(results[0], parameters)


def _model(model):
    """A Model from a name ("rnn", "gru", "lstm") or a Model."""
    if isinstance(model, str):
        if model not in MODELS:
            raise ValueError(f"unknown model {model!r}: use one of {sorted(MODELS)} or a Model")
        return MODELS[model]
    return model


def _loss(loss):
    """The head function of a loss name, or a ValueError naming the choices."""
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}: use one of {sorted(LOSSES)}")
    return LOSSES[loss]
