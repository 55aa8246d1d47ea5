"""The gated recurrent unit (GRU) in the seed's form: the relevance gate multiplies a<t-1> before W_c.

Dimensions: n_x input features, n_a hidden units, n_y output classes, m examples, T_x time steps.
Parameters: Wu, Wr, Wc (n_a, n_a + n_x), acting on the stacked column [a<t-1>; x<t>] (hidden state first);
bu, br, bc (n_a, 1); output layer Wy (n_y, n_a), by (n_y, 1).
This is not torch.nn.GRU, which applies its reset gate after the product with the hidden weights and uses
(1 - z) the other way round. The output layer's gradients come from `rnn_ref.loss.output_layer_backward`.
"""
import numpy as np

from .activations import sigmoid, softmax
from .over_time import softmax_outputs


def gru_cell_forward(xt, a_prev, parameters):
    """One time step of the GRU.

    Inputs:
    - xt: input at step t, (n_x, m)
    - a_prev: hidden state a<t-1>, (n_a, m); in a GRU the memory cell c<t-1> is the same
    - parameters: dict with Wu, Wr, Wc (n_a, n_a + n_x), bu, br, bc (n_a, 1), Wy (n_y, n_a), by (n_y, 1)

    Returns:
    - a_next: hidden state a<t> = c<t>, (n_a, m)
    - yt_pred: prediction y_hat<t>, (n_y, m)
    - cache: (a_next, a_prev, xt, Gamma_u, Gamma_r, c_tilde, parameters), for gru_cell_backward

    Notes
    -----
    Gamma_u = sigmoid(Wu [a<t-1>; x<t>] + bu)                 update gate
    Gamma_r = sigmoid(Wr [a<t-1>; x<t>] + br)                 relevance (reset) gate
    c_tilde = tanh(Wc [Gamma_r * a<t-1>; x<t>] + bc)          candidate
    c<t>    = Gamma_u * c_tilde + (1 - Gamma_u) * c<t-1>,     with c<t-1> = a<t-1>
    a<t>    = c<t>,    y_hat<t> = softmax(Wy a<t> + by)
    (* is the element-wise product.)
    """
    a_next, cache = _gru_step_forward(xt, a_prev, parameters)
    yt_pred = softmax(parameters["Wy"] @ a_next + parameters["by"])
    return a_next, yt_pred, cache


def _gru_step_forward(xt, a_prev, parameters):
    """The hidden-state half of gru_cell_forward (no output layer): returns a_next and the cache."""
    Wu, Wr, Wc = parameters["Wu"], parameters["Wr"], parameters["Wc"]
    bu, br, bc = parameters["bu"], parameters["br"], parameters["bc"]

    concat = np.concatenate([a_prev, xt], axis=0)
    Gamma_u = sigmoid(Wu @ concat + bu)
    Gamma_r = sigmoid(Wr @ concat + br)
    c_tilde = np.tanh(Wc @ np.concatenate([Gamma_r * a_prev, xt], axis=0) + bc)
    c_next = Gamma_u * c_tilde + (1.0 - Gamma_u) * a_prev
    a_next = c_next

    cache = (a_next, a_prev, xt, Gamma_u, Gamma_r, c_tilde, parameters)
    return a_next, cache


def gru_cell_backward(da_next, cache):
    """Backward pass of one GRU cell.

    Inputs:
    - da_next: gradient of the loss with respect to a<t>, (n_a, m)
    - cache: from gru_cell_forward

    Returns a dict:
    - dxt: (n_x, m); da_prev: (n_a, m)
    - dWu, dWr, dWc: (n_a, n_a + n_x); dbu, dbr, dbc: (n_a, 1)

    Notes
    -----
    With concat = [a<t-1>; x<t>], concat_r = [Gamma_r * a<t-1>; x<t>], and sigmoid' = s (1 - s):
        dc_tilde = da_next * Gamma_u              dGamma_u = da_next * (c_tilde - a<t-1>)
        dz_c = dc_tilde * (1 - c_tilde^2)         dWc = dz_c concat_r^T,   dconcat_r = Wc^T dz_c
        dGamma_r = dconcat_r[:n_a] * a<t-1>
        dz_u = dGamma_u * Gamma_u * (1 - Gamma_u),  dz_r = dGamma_r * Gamma_r * (1 - Gamma_r)
        dWu = dz_u concat^T,   dWr = dz_r concat^T,   dconcat = Wu^T dz_u + Wr^T dz_r
    a<t-1> reaches a<t> three ways, so
        da_prev = da_next * (1 - Gamma_u) + dconcat_r[:n_a] * Gamma_r + dconcat[:n_a]
        dxt     = dconcat_r[n_a:] + dconcat[n_a:]
    Every db is the sum of its dz over the m examples.
    """
    a_next, a_prev, xt, Gamma_u, Gamma_r, c_tilde, parameters = cache
    Wu, Wr, Wc = parameters["Wu"], parameters["Wr"], parameters["Wc"]
    n_a = a_prev.shape[0]
    concat = np.concatenate([a_prev, xt], axis=0)
    concat_r = np.concatenate([Gamma_r * a_prev, xt], axis=0)

    dc_tilde = da_next * Gamma_u
    dGamma_u = da_next * (c_tilde - a_prev)

    dz_c = dc_tilde * (1.0 - c_tilde ** 2)
    dconcat_r = Wc.T @ dz_c
    dGamma_r = dconcat_r[:n_a] * a_prev

    dz_u = dGamma_u * Gamma_u * (1.0 - Gamma_u)
    dz_r = dGamma_r * Gamma_r * (1.0 - Gamma_r)
    dconcat = Wu.T @ dz_u + Wr.T @ dz_r

    return {
        "dxt": dconcat_r[n_a:] + dconcat[n_a:],
        "da_prev": da_next * (1.0 - Gamma_u) + dconcat_r[:n_a] * Gamma_r + dconcat[:n_a],
        "dWu": dz_u @ concat.T,
        "dbu": np.sum(dz_u, axis=1, keepdims=True),
        "dWr": dz_r @ concat.T,
        "dbr": np.sum(dz_r, axis=1, keepdims=True),
        "dWc": dz_c @ concat_r.T,
        "dbc": np.sum(dz_c, axis=1, keepdims=True),
    }


def gru_forward(x, a0, parameters):
    """The GRU over a whole sequence: gru_cell_forward at every time step.

    Inputs:
    - x: (n_x, m, T_x); a0: initial hidden state, (n_a, m); parameters: as for gru_cell_forward

    Returns:
    - a: hidden states, (n_a, m, T_x)
    - y_pred: predictions, (n_y, m, T_x)
    - caches: (list of the T_x cell caches, x), for gru_backward

    Notes
    -----
    For t = 1, ..., T_x: a<t>, y_hat<t> = gru_cell_forward(x<t>, a<t-1>), the same weights at every step.
    As in rnn_forward, the loop computes the hidden states only, and the outputs are computed after it, for
    all the steps at once (rnn_ref.over_time).
    """
    n_x, m, T_x = x.shape
    a = np.zeros((a0.shape[0], m, T_x))
    cell_caches = []

    a_next = a0
    for t in range(T_x):
        a_next, cache = _gru_step_forward(x[:, :, t], a_next, parameters)
        a[:, :, t] = a_next
        cell_caches.append(cache)
    y_pred = softmax_outputs(a, parameters["Wy"], parameters["by"])
    return a, y_pred, (cell_caches, x)


def gru_backward(da, caches):
    """Backpropagation through time for the GRU.

    Inputs:
    - da: upstream gradient of the loss with respect to every hidden state, (n_a, m, T_x)
    - caches: (list of cell caches, x) from gru_forward

    Returns a dict:
    - dx: (n_x, m, T_x); da0: (n_a, m)
    - dWu, dWr, dWc: (n_a, n_a + n_x); dbu, dbr, dbc: (n_a, 1)

    Notes
    -----
    As for the vanilla RNN: at step t the cell receives da[:, :, t] + da_prev from step t+1, and the gradients
    of the shared weights are summed over the steps.
    """
    cell_caches, x = caches
    n_x, m, T_x = x.shape
    parameters = cell_caches[0][-1]
    names = ["Wu", "bu", "Wr", "br", "Wc", "bc"]

    dx = np.zeros((n_x, m, T_x))
    sums = {"d" + name: np.zeros(parameters[name].shape) for name in names}
    da_prev = np.zeros(da.shape[:2])

    for t in reversed(range(T_x)):
        grads = gru_cell_backward(da[:, :, t] + da_prev, cell_caches[t])
        dx[:, :, t] = grads["dxt"]
        da_prev = grads["da_prev"]
        for key in sums:
            sums[key] += grads[key]
    return {"dx": dx, "da0": da_prev, **sums}
