"""The vanilla RNN: one cell, the cell unrolled over time, and backpropagation through time.

Dimensions: n_x input features, n_a hidden units, n_y output classes, m examples, T_x time steps.
Parameters: Wax (n_a, n_x), Waa (n_a, n_a), Wya (n_y, n_a), ba (n_a, 1), by (n_y, 1).
The backward functions stop at the hidden states: the output layer's gradients (dWya, dby) and the `da` they
send back come from `rnn_ref.loss`.
"""
import numpy as np

from .activations import softmax
from .over_time import from_side_by_side, sequence, side_by_side, softmax_outputs, steps


def rnn_step_forward(xt, a_prev, parameters):
    """The hidden-state half of `rnn_cell_forward`: the recurrence alone, without an output layer.

    The bidirectional and deep RNNs (`rnn_ref.variants`) use it, since their hidden layers have no output of
    their own. Its backward is `rnn_cell_backward`: the cache is the same.

    Inputs:
    - xt: input at step t, (n_x, m)
    - a_prev: hidden state a<t-1>, (n_a, m)
    - parameters: dict with Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1); other keys are ignored

    Returns:
    - a_next: hidden state a<t>, (n_a, m)
    - cache: (a_next, a_prev, xt, parameters)

    Notes
    -----
    a<t> = tanh(Waa a<t-1> + Wax x<t> + ba)
    """
    Wax, Waa, ba = parameters["Wax"], parameters["Waa"], parameters["ba"]
    a_next = np.tanh(Waa @ a_prev + Wax @ xt + ba)
    cache = (a_next, a_prev, xt, parameters)
    return a_next, cache


def rnn_cell_forward(xt, a_prev, parameters):
    """One time step of the vanilla RNN.

    Inputs:
    - xt: input at step t, (n_x, m)
    - a_prev: hidden state a<t-1>, (n_a, m)
    - parameters: dict with Wax (n_a, n_x), Waa (n_a, n_a), Wya (n_y, n_a), ba (n_a, 1), by (n_y, 1)

    Returns:
    - a_next: hidden state a<t>, (n_a, m)
    - yt_pred: prediction y_hat<t>, (n_y, m), each column a probability vector
    - cache: (a_next, a_prev, xt, parameters), for rnn_cell_backward

    Notes
    -----
    a<t>     = g1(Waa a<t-1> + Wax x<t> + ba)    with g1 = tanh
    y_hat<t> = g2(Wya a<t> + by)                 with g2 = softmax over the n_y classes
    """
    a_next, cache = rnn_step_forward(xt, a_prev, parameters)
    yt_pred = softmax(parameters["Wya"] @ a_next + parameters["by"])
    return a_next, yt_pred, cache


def rnn_cell_backward(da_next, cache):
    """Backward pass of one RNN cell (of rnn_cell_forward or rnn_step_forward).

    Inputs:
    - da_next: gradient of the loss with respect to a<t>, (n_a, m)
    - cache: (a_next, a_prev, xt, parameters) from the forward pass

    Returns a dict:
    - dxt: (n_x, m); da_prev: (n_a, m); dWax: (n_a, n_x); dWaa: (n_a, n_a); dba: (n_a, 1)

    Notes
    -----
    With z = Waa a<t-1> + Wax x<t> + ba and a<t> = tanh(z), so that tanh'(z) = 1 - a<t>^2:

        dz      = da_next * (1 - a<t>^2)
        dxt     = Wax^T dz          dWax = dz x<t>^T
        da_prev = Waa^T dz          dWaa = dz a<t-1>^T
        dba     = sum of dz over the m examples
    """
    a_next, a_prev, xt, parameters = cache
    Wax, Waa = parameters["Wax"], parameters["Waa"]

    dz = da_next * (1.0 - a_next ** 2)
    return {
        "dxt": Wax.T @ dz,
        "da_prev": Waa.T @ dz,
        "dWax": dz @ xt.T,
        "dWaa": dz @ a_prev.T,
        "dba": np.sum(dz, axis=1, keepdims=True),
    }


def rnn_forward(x, a0, parameters):
    """The vanilla RNN over a whole sequence: rnn_cell_forward at every time step.

    Inputs:
    - x: inputs x<1>, ..., x<T_x>, (n_x, m, T_x)
    - a0: initial hidden state a<0>, (n_a, m)
    - parameters: as for rnn_cell_forward

    Returns:
    - a: hidden states a<1>, ..., a<T_x>, (n_a, m, T_x)
    - y_pred: predictions, (n_y, m, T_x)
    - caches: (list of the T_x cell caches, x), for rnn_backward

    Notes
    -----
    For t = 1, ..., T_x:  a<t> = tanh(Waa a<t-1> + Wax x<t> + ba),  y_hat<t> = softmax(Wya a<t> + by).
    The same weights are used at every step. Only the recurrence (rnn_step_forward, the first half of
    rnn_cell_forward) goes step by step; the outputs need a<t> alone, so they are computed after the loop,
    for all the steps at once (rnn_ref.over_time).
    """
    a, caches = rnn_states(x, a0, parameters)
    y_pred = softmax_outputs(a, parameters["Wya"], parameters["by"])
    return a, y_pred, caches


def rnn_states(x, a0, parameters):
    """The hidden states of a vanilla RNN layer over x (n_x, m, T_x), one rnn_step_forward per step.

    Returns a (n_a, m, T_x) and the caches (list of the T_x cell caches, x) that rnn_backward takes. Used by
    rnn_forward and by the layers of the bidirectional and deep RNNs (rnn_ref.variants).
    """
    a, cell_caches = [], []
    a_next = a0
    for xt in steps(x):
        a_next, cache = rnn_step_forward(xt, a_next, parameters)
        a.append(a_next)
        cell_caches.append(cache)
    return sequence(a), (cell_caches, x)


def rnn_backward(da, caches):
    """Backpropagation through time for the vanilla RNN.

    Inputs:
    - da: upstream gradient of the loss with respect to every hidden state, (n_a, m, T_x) (from the outputs,
      e.g. rnn_ref.loss.output_layer_backward)
    - caches: (list of cell caches, x) from rnn_forward (or any list of rnn_step_forward caches)

    Returns a dict:
    - dx: (n_x, m, T_x); da0: (n_a, m); dWax: (n_a, n_x); dWaa: (n_a, n_a); dba: (n_a, 1)

    Notes
    -----
    a<t> reaches the loss twice: through its own output (da[:, :, t]) and through a<t+1>. Going backwards
    from t = T_x, the gradient that reaches a<t> is da[:, :, t] + da_prev from step t+1 (zero at T_x), and,
    as in rnn_cell_backward,
        dz<t> = (da[:, :, t] + da_prev) * (1 - a<t>^2),      da_prev = Waa^T dz<t>.
    Only this recurrence goes step by step. The other results of rnn_cell_backward need dz<t> alone, and the
    shared weights collect one term per step: with the steps' dz<t>, a<t-1> and x<t> side by side (step t in
    columns t m to (t+1) m - 1), each is one product over all the steps after the loop (rnn_ref.over_time):
        dx<t> = Wax^T dz<t>,   dWax = sum_t dz<t> x<t>^T,   dWaa = sum_t dz<t> a<t-1>^T,
        dba = sum of dz<t> over the steps and the examples.
    """
    cell_caches, _ = caches  # x<t> is in the cache of step t
    parameters = cell_caches[0][3]
    n_a, m, T_x = da.shape
    dz = [None] * T_x

    da_steps = steps(da)
    da_prev = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        a_next = cell_caches[t][0]
        dz[t] = (da_steps[t] + da_prev) * (1.0 - a_next ** 2)
        da_prev = parameters["Waa"].T @ dz[t]

    dz = side_by_side(dz)
    a_prev = side_by_side([cache[1] for cache in cell_caches])  # a<0>, ..., a<T_x - 1>
    xs = side_by_side([cache[2] for cache in cell_caches])
    return {
        "dx": from_side_by_side(parameters["Wax"].T @ dz, T_x),
        "da0": da_prev,
        "dWax": dz @ xs.T,
        "dWaa": dz @ a_prev.T,
        "dba": np.sum(dz, axis=1, keepdims=True),
    }
