"""The loss over time and the output layer's backward pass.

Dimensions: n_y output classes, n_a hidden units, m examples, T_y time steps (T_y = T_x for the many-to-many
RNNs of the course). The output layer is z<t> = Wya a<t> + by and y_hat<t> = softmax(z<t>); GRU, LSTM and the
variants name its weights Wy instead of Wya.

The chain for one training step of the vanilla RNN:

    a, y_pred, caches = rnn_forward(x, a0, parameters)
    loss = sequence_cross_entropy(y_pred, y)
    dz = sequence_cross_entropy_backward(y_pred, y)
    out = output_layer_backward(dz, a, parameters)      # dWya, dby, da
    grads = rnn_backward(out["da"], caches)             # dWax, dWaa, dba, dx, da0
"""
import numpy as np

from .over_time import at_every_step, sum_over_steps

# The log is taken of max(y_pred, TINY), TINY the smallest normal float64 (about 2.2e-308): log(0) = -inf
# becomes about -708. Only probabilities below TINY, already at the edge of underflow, are changed.
TINY = np.finfo(np.float64).tiny


def sequence_cross_entropy(y_pred, y):
    """Cross-entropy summed over the time steps and averaged over the m examples.

    Inputs:
    - y_pred: predicted probabilities, (n_y, m, T_y), each column summing to 1
    - y: one-hot targets, (n_y, m, T_y) (any probability vectors work)

    Returns:
    - loss: float

    Notes
    -----
    L(y_hat, y) = (1/m) sum over examples of  sum_{t=1}^{T_y} L(y_hat<t>, y<t>),
    with L(y_hat<t>, y<t>) = - sum_k y_k<t> log(y_hat_k<t>).

    Guarding log(0): y_pred is raised to at least TINY (about 2.2e-308) before the log. A class with
    y_k = 0 then adds 0 * (finite) = 0, as the convention 0 log 0 = 0 wants, with no warning; a target class
    predicted with probability 0 costs a large but finite -log(TINY) (about 708) instead of inf.
    """
    m = y.shape[1]
    log_y_pred = np.log(np.maximum(y_pred, TINY))
    return float(-np.sum(y * log_y_pred) / m)


def sequence_cross_entropy_backward(y_pred, y):
    """Gradient of sequence_cross_entropy with respect to the output pre-activations z<t> = Wya a<t> + by.

    Inputs:
    - y_pred: softmax(z), (n_y, m, T_y)
    - y: one-hot targets, (n_y, m, T_y)

    Returns:
    - dz: (n_y, m, T_y)

    Notes
    -----
    For softmax followed by cross-entropy, and targets whose columns sum to 1:
        dL/dz<t> = (y_hat<t> - y<t>) / m
    The 1/m comes from averaging over the examples; there is no 1/T_y, since the loss sums over time.
    """
    m = y.shape[1]
    return (y_pred - y) / m


def output_layer_backward(dz, a, parameters):
    """Backward pass of the output layer z<t> = Wya a<t> + by at every time step.

    Inputs:
    - dz: gradient of the loss with respect to z, (n_y, m, T)
    - a: the hidden states the layer read, (n_a, m, T)
    - parameters: dict with by (n_y, 1) and output weights (n_y, n_a) named either Wya (vanilla RNN) or Wy
      (GRU, LSTM, variants); other keys are ignored

    Returns a dict, keyed after the name the weights have in `parameters`:
    - dWya (or dWy): (n_y, n_a); dby: (n_y, 1)
    - da: (n_a, m, T), the upstream gradient for rnn_backward, gru_backward, lstm_backward, ...

    Notes
    -----
    The output weights are shared over time, so their gradient sums one term per step:
        dWya = sum_t dz<t> a<t>^T,    dby = sum over t and examples of dz<t>,    da<t> = Wya^T dz<t>
    No step depends on another here, so each is one product over all the steps (rnn_ref.over_time).
    """
    name = _output_weights_name(parameters)
    dW = sum_over_steps(dz, a)
    dby = np.sum(dz, axis=(1, 2)).reshape(-1, 1)
    da = at_every_step(parameters[name].T, dz)
    return {"d" + name: dW, "dby": dby, "da": da}


def _output_weights_name(parameters):
    """'Wya' or 'Wy', whichever `parameters` has; a ValueError if it has both or neither."""
    names = [name for name in ("Wya", "Wy") if name in parameters]
    if len(names) != 1:
        raise ValueError(f"parameters must hold exactly one of 'Wya' and 'Wy' as output weights, found {names}")
    return names[0]
