"""Many-to-one regression: a linear output read from the last hidden state, and the mean squared error.

Dimensions: n_a hidden units, n_y outputs, m examples, T time steps. The output layer is the model's usual
one (Wya for the vanilla RNN, Wy for the others, and by) without the softmax, applied at the last step only:

    y_hat = Wy a<T> + by,    (n_y, m)

The chain for one training step of, say, the LSTM on a regression target y (n_y, m):

    a, _, _, caches = lstm_forward(x, a0, parameters)
    y_hat = last_step_output_forward(a, parameters)
    loss = mean_squared_error(y_hat, y)
    out = last_step_output_backward(mean_squared_error_backward(y_hat, y), a, parameters)   # dWy, dby, da
    grads = lstm_backward(out["da"], caches)
"""
import numpy as np

from .loss import _output_weights_name


def last_step_output_forward(a, parameters):
    """The linear output y_hat = Wy a<T> + by, read from the last hidden state only.

    Inputs:
    - a: hidden states, (n_a, m, T)
    - parameters: dict with by (n_y, 1) and output weights (n_y, n_a) named Wya or Wy; other keys are ignored

    Returns:
    - y_hat: (n_y, m), no softmax
    """
    W = parameters[_output_weights_name(parameters)]
    return W @ a[:, :, -1] + parameters["by"]


def last_step_output_backward(dy, a, parameters):
    """Backward pass of last_step_output_forward.

    Inputs:
    - dy: gradient of the loss with respect to y_hat, (n_y, m)
    - a: the hidden states the layer read, (n_a, m, T)
    - parameters: as for last_step_output_forward

    Returns a dict, keyed after the name the weights have in `parameters`:
    - dWya (or dWy): (n_y, n_a); dby: (n_y, 1)
    - da: (n_a, m, T), the upstream gradient for rnn_backward, gru_backward, lstm_backward, ...

    Notes
    -----
        dWy = dy a<T>^T,    dby = sum of dy over the examples,
        da<T> = Wy^T dy,    da<t> = 0 for t < T (the earlier states reach the loss only through a<T>).
    """
    name = _output_weights_name(parameters)
    da = np.zeros(a.shape)
    da[:, :, -1] = parameters[name].T @ dy
    return {"d" + name: dy @ a[:, :, -1].T, "dby": np.sum(dy, axis=1, keepdims=True), "da": da}


def mean_squared_error(y_hat, y):
    """The mean of (y_hat - y)^2 over the m examples and the n_y outputs: a float.

    Inputs:
    - y_hat: predictions, (n_y, m)
    - y: targets, (n_y, m)
    """
    return float(np.mean((y_hat - y) ** 2))


def mean_squared_error_backward(y_hat, y):
    """Gradient of mean_squared_error with respect to y_hat: 2 (y_hat - y) / (n_y m), shape (n_y, m)."""
    return 2.0 * (y_hat - y) / y.size
