"""The gated recurrent unit (GRU) in the CS 230 cheatsheet's form: the relevance gate multiplies a<t-1> before W_c.

Dimensions: n_x input features, n_a hidden units, n_y output classes, m examples, T_x time steps.
Parameters: Wu, Wr, Wc (n_a, n_a + n_x), acting on the stacked column [a<t-1>; x<t>] (hidden state first);
bu, br, bc (n_a, 1); output layer Wy (n_y, n_a), by (n_y, 1).
This is not torch.nn.GRU, which applies its reset gate after the product with the hidden weights and uses
(1 - z) the other way round. The output layer's gradients come from `rnn_ref.loss.output_layer_backward`.

The two gates read the same [a<t-1>; x<t>], so the code stacks their weights (`stack_gates`) and gets both
from one matrix product per step; the candidate reads [Gamma_r * a<t-1>; x<t>] and has its own product.
"""
import numpy as np

from .activations import sigmoid, softmax
from .over_time import sequence, side_by_side, softmax_outputs, steps


def stack_gates(parameters):
    """The two gates' weights stacked: W_ur = [Wu; Wr] (2 n_a, n_a + n_x) and b_ur = [bu; br] (2 n_a, 1).

    W_ur [a<t-1>; x<t>] + b_ur is then [z_u; z_r], both gates' pre-activations, n_a rows each.
    """
    W_ur = np.concatenate([parameters["Wu"], parameters["Wr"]], axis=0)
    b_ur = np.concatenate([parameters["bu"], parameters["br"]], axis=0)
    return W_ur, b_ur


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
    a_next, cache = _gru_step_forward(xt, a_prev, parameters, *stack_gates(parameters))
    yt_pred = softmax(parameters["Wy"] @ a_next + parameters["by"])
    return a_next, yt_pred, cache


def _gru_step_forward(xt, a_prev, parameters, W_ur, b_ur):
    """The hidden-state half of gru_cell_forward (no output layer), given the stacked gates' W_ur and b_ur."""
    Gamma_u, Gamma_r = np.split(sigmoid(W_ur @ np.concatenate([a_prev, xt], axis=0) + b_ur), 2)
    c_tilde = np.tanh(parameters["Wc"] @ np.concatenate([Gamma_r * a_prev, xt], axis=0) + parameters["bc"])
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
    Every db is the sum of its dz over the m examples. With the gates stacked (stack_gates), dz_u and dz_r
    are the halves of one dz_ur = [dz_u; dz_r], and dconcat = W_ur^T dz_ur is one product.
    """
    a_prev, xt, Gamma_r, parameters = cache[1], cache[2], cache[4], cache[-1]
    W_ur, _ = stack_gates(parameters)
    n_a = a_prev.shape[0]
    dz_ur, dz_c, dxt, da_prev = _gru_step_backward(da_next, cache, W_ur)
    dW_ur = dz_ur @ np.concatenate([a_prev, xt], axis=0).T
    db_ur = np.sum(dz_ur, axis=1, keepdims=True)
    return {
        "dxt": dxt,
        "da_prev": da_prev,
        "dWu": dW_ur[:n_a],
        "dbu": db_ur[:n_a],
        "dWr": dW_ur[n_a:],
        "dbr": db_ur[n_a:],
        "dWc": dz_c @ np.concatenate([Gamma_r * a_prev, xt], axis=0).T,
        "dbc": np.sum(dz_c, axis=1, keepdims=True),
    }


def _gru_step_backward(da_next, cache, W_ur):
    """The step of gru_cell_backward that needs no weight gradient: returns dz_ur = [dz_u; dz_r] (2 n_a, m),
    stacked as W_ur's rows, dz_c (n_a, m), dxt and da_prev."""
    a_next, a_prev, xt, Gamma_u, Gamma_r, c_tilde, parameters = cache
    n_a = a_prev.shape[0]
    dc_tilde = da_next * Gamma_u
    dGamma_u = da_next * (c_tilde - a_prev)
    dz_c = dc_tilde * (1.0 - c_tilde ** 2)
    dconcat_r = parameters["Wc"].T @ dz_c
    dGamma_r = dconcat_r[:n_a] * a_prev
    dz_ur = np.concatenate([dGamma_u * Gamma_u * (1.0 - Gamma_u),           # dz_u
                            dGamma_r * Gamma_r * (1.0 - Gamma_r)], axis=0)  # dz_r
    dconcat = W_ur.T @ dz_ur  # Wu^T dz_u + Wr^T dz_r
    dxt = dconcat_r[n_a:] + dconcat[n_a:]
    da_prev = da_next * (1.0 - Gamma_u) + dconcat_r[:n_a] * Gamma_r + dconcat[:n_a]
    return dz_ur, dz_c, dxt, da_prev


def gru_forward(x, a0, parameters):
    """The GRU over a whole sequence: gru_cell_forward at every time step.

    Inputs:
    - x: (n_x, m, T_x); a0: initial hidden state, (n_a, m); parameters: as for gru_cell_forward, where the
      output layer Wy, by may be left out (an encoder, whose states another network reads: rnn_ref.seq2seq)

    Returns:
    - a: hidden states, (n_a, m, T_x)
    - y_pred: predictions, (n_y, m, T_x); None when parameters has no Wy
    - caches: (list of the T_x cell caches, x), for gru_backward

    Notes
    -----
    For t = 1, ..., T_x: a<t>, y_hat<t> = gru_cell_forward(x<t>, a<t-1>), the same weights at every step.
    As in rnn_forward, the loop computes the hidden states only, and the outputs are computed after it, for
    all the steps at once (rnn_ref.over_time).
    """
    W_ur, b_ur = stack_gates(parameters)
    a, cell_caches = [], []
    a_next = a0
    for xt in steps(x):
        a_next, cache = _gru_step_forward(xt, a_next, parameters, W_ur, b_ur)
        a.append(a_next)
        cell_caches.append(cache)
    a = sequence(a)
    y_pred = softmax_outputs(a, parameters["Wy"], parameters["by"]) if "Wy" in parameters else None
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
    As for the vanilla RNN: at step t the cell receives da[:, :, t] + da_prev from step t+1. The weights are
    shared, so their gradients are sums over the steps of gru_cell_backward's. Those need the step's dz alone:
    with every step's dz_ur, dz_c and the columns they multiply, [a<t-1>; x<t>] and [Gamma_r * a<t-1>; x<t>],
    side by side (step t in columns t m to (t+1) m - 1), one product after the loop gives each sum
    (rnn_ref.over_time).
    """
    cell_caches, _ = caches  # x<t> is in the cache of step t
    n_a, m, T_x = da.shape
    W_ur, _ = stack_gates(cell_caches[0][-1])
    dz_ur, dz_c, dx = [None] * T_x, [None] * T_x, [None] * T_x

    da_steps = steps(da)
    da_prev = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        dz_ur[t], dz_c[t], dx[t], da_prev = _gru_step_backward(da_steps[t] + da_prev, cell_caches[t], W_ur)

    dz_ur, dz_c = side_by_side(dz_ur), side_by_side(dz_c)
    # cache = (a_next, a_prev, xt, Gamma_u, Gamma_r, c_tilde, parameters)
    concat = side_by_side([np.concatenate([cache[1], cache[2]], axis=0) for cache in cell_caches])
    concat_r = side_by_side([np.concatenate([cache[4] * cache[1], cache[2]], axis=0) for cache in cell_caches])
    dW_ur = dz_ur @ concat.T
    db_ur = np.sum(dz_ur, axis=1, keepdims=True)
    return {"dx": sequence(dx), "da0": da_prev, "dWu": dW_ur[:n_a], "dbu": db_ur[:n_a], "dWr": dW_ur[n_a:],
            "dbr": db_ur[n_a:], "dWc": dz_c @ concat_r.T, "dbc": np.sum(dz_c, axis=1, keepdims=True)}
