"""The standard LSTM (Hochreiter and Schmidhuber 1997, with the forget gate of Gers et al. 2000).

It is the cell of torch.nn.LSTM: a<t> = Gamma_o * tanh(c<t>), and no relevance gate in the candidate (the
CS 230 cheatsheet's LSTM column has both of these wrong).
Dimensions: n_x input features, n_a hidden units, n_y output classes, m examples, T_x time steps.
Parameters: Wf, Wu, Wc, Wo (n_a, n_a + n_x), acting on the stacked column [a<t-1>; x<t>] (hidden state
first); bf, bu, bc, bo (n_a, 1); output layer Wy (n_y, n_a), by (n_y, 1).
The output layer's gradients come from `rnn_ref.loss.output_layer_backward`.

The four gates read the same [a<t-1>; x<t>], so the code stacks their weights (`stack_gates`) and gets all
four from one matrix product per step, forwards and backwards; the equations are those of the docstrings.
"""
import numpy as np

from .activations import sigmoid, softmax
from .over_time import sequence, side_by_side, softmax_outputs, steps

GATES = ["f", "u", "o", "c"]  # the order of the stacked gates: the three sigmoid gates, then the candidate


def stack_gates(parameters):
    """The four gates' weights stacked in the order of GATES: W (4 n_a, n_a + n_x) and b (4 n_a, 1).

    W [a<t-1>; x<t>] + b is then [z_f; z_u; z_o; z_c], every gate's pre-activation, n_a rows each.
    """
    W = np.concatenate([parameters["W" + gate] for gate in GATES], axis=0)
    b = np.concatenate([parameters["b" + gate] for gate in GATES], axis=0)
    return W, b


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
    a_next, c_next, cache = _lstm_step_forward(xt, a_prev, c_prev, parameters, *stack_gates(parameters))
    yt_pred = softmax(parameters["Wy"] @ a_next + parameters["by"])
    return a_next, c_next, yt_pred, cache


def _lstm_step_forward(xt, a_prev, c_prev, parameters, W, b):
    """The hidden-state half of lstm_cell_forward (no output layer), given the stacked W and b."""
    n_a = a_prev.shape[0]
    z = W @ np.concatenate([a_prev, xt], axis=0) + b
    Gamma_f, Gamma_u, Gamma_o = np.split(sigmoid(z[:3 * n_a]), 3)
    c_tilde = np.tanh(z[3 * n_a:])
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
    With the gates stacked, dz = [dz_f; dz_u; dz_o; dz_c] and that sum is the one product W^T dz.
    """
    a_prev, xt, parameters = cache[2], cache[8], cache[-1]
    W, _ = stack_gates(parameters)
    dz, dconcat, dc_prev = _lstm_step_backward(da_next, dc_next, cache, W)
    n_a = a_prev.shape[0]
    dW = dz @ np.concatenate([a_prev, xt], axis=0).T
    return {"dxt": dconcat[n_a:], "da_prev": dconcat[:n_a], "dc_prev": dc_prev, **unstack_gates(dW, dz)}


def unstack_gates(dW, dz):
    """The gradients of the stacked weights, dW (4 n_a, n_a + n_x), and the biases' (the sums of the stacked
    dz over its columns), split by gate: {"dWf": ..., "dbf": ..., "dWu": ..., ...}."""
    n_a = dW.shape[0] // len(GATES)
    db = np.sum(dz, axis=1, keepdims=True)
    grads = {}
    for gate in ["f", "u", "c", "o"]:  # the order of the API's keys
        rows = slice(GATES.index(gate) * n_a, (GATES.index(gate) + 1) * n_a)
        grads["dW" + gate], grads["db" + gate] = dW[rows], db[rows]
    return grads


def _lstm_step_backward(da_next, dc_next, cache, W):
    """The step of lstm_cell_backward that needs no weight gradient: returns dz (4 n_a, m), stacked as W's
    rows, dconcat = W^T dz = [da_prev; dxt], and dc_prev."""
    a_next, c_next, a_prev, c_prev, Gamma_f, Gamma_u, c_tilde, Gamma_o, xt, _ = cache
    tanh_c = np.tanh(c_next)
    dc = dc_next + da_next * Gamma_o * (1.0 - tanh_c ** 2)
    dz = np.concatenate([dc * c_prev * Gamma_f * (1.0 - Gamma_f),       # dz_f: dGamma_f = dc * c<t-1>
                         dc * c_tilde * Gamma_u * (1.0 - Gamma_u),      # dz_u: dGamma_u = dc * c_tilde
                         da_next * tanh_c * Gamma_o * (1.0 - Gamma_o),  # dz_o: dGamma_o = da_next * tanh(c<t>)
                         dc * Gamma_u * (1.0 - c_tilde ** 2)], axis=0)  # dz_c: dc_tilde = dc * Gamma_u
    return dz, W.T @ dz, dc * Gamma_f


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
    W, b = stack_gates(parameters)
    a, c, cell_caches = [], [], []
    a_next, c_next = a0, np.zeros(a0.shape)
    for xt in steps(x):
        a_next, c_next, cache = _lstm_step_forward(xt, a_next, c_next, parameters, W, b)
        a.append(a_next)
        c.append(c_next)
        cell_caches.append(cache)
    a = sequence(a)
    y_pred = softmax_outputs(a, parameters["Wy"], parameters["by"])
    return a, y_pred, sequence(c), (cell_caches, x)


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
    The weights are shared, so their gradients are sums over the steps of lstm_cell_backward's. Those need
    dz<t> alone: with every step's dz<t> and [a<t-1>; x<t>] side by side (step t in columns t m to
    (t+1) m - 1), one product after the loop gives the sum over t of dz<t> [a<t-1>; x<t>]^T
    (rnn_ref.over_time).
    """
    cell_caches, _ = caches  # x<t> is in the cache of step t
    n_a, m, T_x = da.shape
    W, _ = stack_gates(cell_caches[0][-1])
    dz, dx = [None] * T_x, [None] * T_x

    da_steps = steps(da)
    da_prev, dc_prev = np.zeros((n_a, m)), np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        dz[t], dconcat, dc_prev = _lstm_step_backward(da_steps[t] + da_prev, dc_prev, cell_caches[t], W)
        da_prev, dx[t] = dconcat[:n_a], dconcat[n_a:]

    dz = side_by_side(dz)
    # cache = (a_next, c_next, a_prev, c_prev, Gamma_f, Gamma_u, c_tilde, Gamma_o, xt, parameters)
    concat = side_by_side([np.concatenate([cache[2], cache[8]], axis=0) for cache in cell_caches])
    dW = dz @ concat.T  # the sum over t of dz<t> [a<t-1>; x<t>]^T
    return {"dx": sequence(dx), "da0": da_prev, **unstack_gates(dW, dz)}
