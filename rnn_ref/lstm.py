"""The standard LSTM (Hochreiter and Schmidhuber 1997, with the forget gate of Gers et al. 2000).

It is the cell of torch.nn.LSTM: a<t> = Gamma_o * tanh(c<t>), and no relevance gate in the candidate (the
seed's LSTM column has both of these wrong).
Dimensions: n_x input features, n_a hidden units, n_y output classes, m examples, T_x time steps.
Parameters: Wf, Wu, Wc, Wo (n_a, n_a + n_x), acting on the stacked column [a<t-1>; x<t>] (hidden state
first); bf, bu, bc, bo (n_a, 1); output layer Wy (n_y, n_a), by (n_y, 1).
The output layer's gradients come from `rnn_ref.loss.output_layer_backward`.
"""
import numpy as np

from .activations import sigmoid, softmax
from .over_time import softmax_outputs


def lstm_cell_forward(xt, a_prev, c_prev, parameters):
    """One time step of the LSTM.

    Inputs:
    - xt: input at step t, (n_x, m)
    - a_prev: hidden state a<t-1>, (n_a, m)
    - c_prev: memory cell c<t-1>, (n_a, m)
    - parameters: dict with Wf, Wu, Wc, Wo (n_a, n_a + n_x), bf, bu, bc, bo (n_a, 1), Wy (n_y, n_a), by (n_y, 1)

    Returns:
    - a_next: hidden state a<t>, (n_a, m)
    - c_next: memory cell c<t>, (n_a, m)
    - yt_pred: prediction y_hat<t>, (n_y, m)
    - cache: (a_next, c_next, a_prev, c_prev, Gamma_f, Gamma_u, c_tilde, Gamma_o, xt, parameters)

    Notes
    -----
    Gamma_f = sigmoid(Wf [a<t-1>; x<t>] + bf)          forget gate
    Gamma_u = sigmoid(Wu [a<t-1>; x<t>] + bu)          update (input) gate
    c_tilde = tanh(Wc [a<t-1>; x<t>] + bc)             candidate
    Gamma_o = sigmoid(Wo [a<t-1>; x<t>] + bo)          output gate
    c<t>    = Gamma_u * c_tilde + Gamma_f * c<t-1>
    a<t>    = Gamma_o * tanh(c<t>),    y_hat<t> = softmax(Wy a<t> + by)
    """
    a_next, c_next, cache = _lstm_step_forward(xt, a_prev, c_prev, parameters)
    yt_pred = softmax(parameters["Wy"] @ a_next + parameters["by"])
    return a_next, c_next, yt_pred, cache


def _lstm_step_forward(xt, a_prev, c_prev, parameters):
    """The hidden-state half of lstm_cell_forward (no output layer): returns a_next, c_next and the cache."""
    concat = np.concatenate([a_prev, xt], axis=0)
    Gamma_f = sigmoid(parameters["Wf"] @ concat + parameters["bf"])
    Gamma_u = sigmoid(parameters["Wu"] @ concat + parameters["bu"])
    c_tilde = np.tanh(parameters["Wc"] @ concat + parameters["bc"])
    Gamma_o = sigmoid(parameters["Wo"] @ concat + parameters["bo"])
    c_next = Gamma_u * c_tilde + Gamma_f * c_prev
    a_next = Gamma_o * np.tanh(c_next)

    cache = (a_next, c_next, a_prev, c_prev, Gamma_f, Gamma_u, c_tilde, Gamma_o, xt, parameters)
    return a_next, c_next, cache


def lstm_cell_backward(da_next, dc_next, cache):
    """Backward pass of one LSTM cell.

    Inputs:
    - da_next: gradient of the loss with respect to a<t>, (n_a, m)
    - dc_next: gradient of the loss with respect to c<t> through later steps, (n_a, m)
    - cache: from lstm_cell_forward

    Returns a dict:
    - dxt: (n_x, m); da_prev: (n_a, m); dc_prev: (n_a, m)
    - dWf, dWu, dWc, dWo: (n_a, n_a + n_x); dbf, dbu, dbc, dbo: (n_a, 1)

    Notes
    -----
    c<t> reaches the loss directly (dc_next) and through a<t> = Gamma_o * tanh(c<t>):
        dc       = dc_next + da_next * Gamma_o * (1 - tanh(c<t>)^2)
        dGamma_o = da_next * tanh(c<t>)
        dGamma_f = dc * c<t-1>,   dGamma_u = dc * c_tilde,   dc_tilde = dc * Gamma_u,   dc_prev = dc * Gamma_f
    Through the non-linearities (sigmoid' = s (1 - s), tanh' = 1 - t^2), with concat = [a<t-1>; x<t>]:
        dz_f = dGamma_f * Gamma_f * (1 - Gamma_f)   (likewise dz_u, dz_o),   dz_c = dc_tilde * (1 - c_tilde^2)
        dW = dz concat^T and db = sum of dz over the m examples, for each of f, u, c, o
        dconcat = Wf^T dz_f + Wu^T dz_u + Wc^T dz_c + Wo^T dz_o = [da_prev; dxt]
    """
    a_next, c_next, a_prev, c_prev, Gamma_f, Gamma_u, c_tilde, Gamma_o, xt, parameters = cache
    n_a = a_prev.shape[0]
    concat = np.concatenate([a_prev, xt], axis=0)
    tanh_c = np.tanh(c_next)

    dGamma_o = da_next * tanh_c
    dc = dc_next + da_next * Gamma_o * (1.0 - tanh_c ** 2)
    dGamma_f = dc * c_prev
    dGamma_u = dc * c_tilde
    dc_tilde = dc * Gamma_u

    dz_f = dGamma_f * Gamma_f * (1.0 - Gamma_f)
    dz_u = dGamma_u * Gamma_u * (1.0 - Gamma_u)
    dz_c = dc_tilde * (1.0 - c_tilde ** 2)
    dz_o = dGamma_o * Gamma_o * (1.0 - Gamma_o)

    dconcat = (parameters["Wf"].T @ dz_f + parameters["Wu"].T @ dz_u
               + parameters["Wc"].T @ dz_c + parameters["Wo"].T @ dz_o)
    return {
        "dxt": dconcat[n_a:],
        "da_prev": dconcat[:n_a],
        "dc_prev": dc * Gamma_f,
        "dWf": dz_f @ concat.T,
        "dbf": np.sum(dz_f, axis=1, keepdims=True),
        "dWu": dz_u @ concat.T,
        "dbu": np.sum(dz_u, axis=1, keepdims=True),
        "dWc": dz_c @ concat.T,
        "dbc": np.sum(dz_c, axis=1, keepdims=True),
        "dWo": dz_o @ concat.T,
        "dbo": np.sum(dz_o, axis=1, keepdims=True),
    }


def lstm_forward(x, a0, parameters):
    """The LSTM over a whole sequence: lstm_cell_forward at every time step, starting from c<0> = 0.

    Inputs:
    - x: (n_x, m, T_x); a0: initial hidden state, (n_a, m); parameters: as for lstm_cell_forward

    Returns:
    - a: hidden states, (n_a, m, T_x)
    - y_pred: predictions, (n_y, m, T_x)
    - c: memory cells c<1>, ..., c<T_x>, (n_a, m, T_x)
    - caches: (list of the T_x cell caches, x), for lstm_backward

    Notes
    -----
    c<0> = 0; for t = 1, ..., T_x: a<t>, c<t>, y_hat<t> = lstm_cell_forward(x<t>, a<t-1>, c<t-1>).
    As in rnn_forward, the loop computes the states only, and the outputs are computed after it, for all the
    steps at once (rnn_ref.over_time).
    """
    n_x, m, T_x = x.shape
    n_a = a0.shape[0]
    a = np.zeros((n_a, m, T_x))
    c = np.zeros((n_a, m, T_x))
    cell_caches = []

    a_next, c_next = a0, np.zeros((n_a, m))
    for t in range(T_x):
        a_next, c_next, cache = _lstm_step_forward(x[:, :, t], a_next, c_next, parameters)
        a[:, :, t] = a_next
        c[:, :, t] = c_next
        cell_caches.append(cache)
    y_pred = softmax_outputs(a, parameters["Wy"], parameters["by"])
    return a, y_pred, c, (cell_caches, x)


def lstm_backward(da, caches):
    """Backpropagation through time for the LSTM.

    Inputs:
    - da: upstream gradient of the loss with respect to every hidden state, (n_a, m, T_x)
    - caches: (list of cell caches, x) from lstm_forward

    Returns a dict:
    - dx: (n_x, m, T_x); da0: (n_a, m)
    - dWf, dWu, dWc, dWo: (n_a, n_a + n_x); dbf, dbu, dbc, dbo: (n_a, 1)

    Notes
    -----
    At step t the cell receives da[:, :, t] + da_prev from step t+1, and dc_prev from step t+1 as its dc_next
    (both zero at t = T_x: the loss reads the states a<t> only). c<0> is a constant, so there is no dc0.
    The gradients of the shared weights are summed over the steps.
    """
    cell_caches, x = caches
    n_x, m, T_x = x.shape
    parameters = cell_caches[0][-1]
    names = ["Wf", "bf", "Wu", "bu", "Wc", "bc", "Wo", "bo"]

    dx = np.zeros((n_x, m, T_x))
    sums = {"d" + name: np.zeros(parameters[name].shape) for name in names}
    da_prev = np.zeros(da.shape[:2])
    dc_prev = np.zeros(da.shape[:2])

    for t in reversed(range(T_x)):
        grads = lstm_cell_backward(da[:, :, t] + da_prev, dc_prev, cell_caches[t])
        dx[:, :, t] = grads["dxt"]
        da_prev = grads["da_prev"]
        dc_prev = grads["dc_prev"]
        for key in sums:
            sums[key] += grads[key]
    return {"dx": dx, "da0": da_prev, **sums}
