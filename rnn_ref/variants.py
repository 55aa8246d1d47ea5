"""Bidirectional and deep (stacked) RNNs, built from the vanilla cell (rnn_step_forward, rnn_cell_backward).

Dimensions: n_x input features, n_a hidden units (per direction, or per layer: n_a_l), n_y output classes,
m examples, T_x time steps. A "vanilla dict" holds Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1): the hidden
layers have no output of their own. The model's output layer is Wy, by, read by
`rnn_ref.loss.output_layer_backward`; the backward functions here stop at the hidden states, like rnn_backward.
"""
import numpy as np

from .over_time import softmax_outputs
from .rnn import rnn_backward, rnn_states


def birnn_forward(x, a0_f, a0_b, parameters):
    """Bidirectional RNN: one vanilla RNN reads x left to right, another right to left.

    Inputs:
    - x: (n_x, m, T_x)
    - a0_f: initial state of the left-to-right pass (before step 1), (n_a, m)
    - a0_b: initial state of the right-to-left pass (after step T_x), (n_a, m)
    - parameters: dict with "forward" and "backward" (vanilla dicts, each Wax (n_a, n_x), Waa (n_a, n_a),
      ba (n_a, 1)), Wy (n_y, 2 n_a), by (n_y, 1)

    Returns:
    - a: (2 n_a, m, T_x), a<t> = [a_f<t>; a_b<t>], the forward state on top (torch.nn.RNN's layout)
    - y_pred: (n_y, m, T_x)
    - caches: (caches of the forward pass, caches of the backward pass), for birnn_backward

    Notes
    -----
    a_f<t> = tanh(Waa_f a_f<t-1> + Wax_f x<t> + ba_f),   t = 1, ..., T_x,      a_f<0> = a0_f
    a_b<t> = tanh(Waa_b a_b<t+1> + Wax_b x<t> + ba_b),   t = T_x, ..., 1,      a_b<T_x+1> = a0_b
    y_hat<t> = softmax(Wy [a_f<t>; a_b<t>] + by): every output sees the whole sequence.
    The right-to-left pass is a vanilla RNN run on the time-reversed x, its states reversed back.
    """
    a_f, caches_f = rnn_states(x, a0_f, parameters["forward"])
    a_b_reversed, caches_b = rnn_states(x[:, :, ::-1], a0_b, parameters["backward"])
    a = np.concatenate([a_f, a_b_reversed[:, :, ::-1]], axis=0)
    y_pred = softmax_outputs(a, parameters["Wy"], parameters["by"])
    return a, y_pred, (caches_f, caches_b)


def birnn_backward(da, caches):
    """Backward pass of birnn_forward.

    Inputs:
    - da: upstream gradient with respect to the stacked states a, (2 n_a, m, T_x)
    - caches: from birnn_forward

    Returns a dict:
    - dx: (n_x, m, T_x); da0_f, da0_b: (n_a, m)
    - "forward", "backward": dicts {dWax, dWaa, dba} for the two passes

    Notes
    -----
    da splits into da_f = da[:n_a] and da_b = da[n_a:]. Each pass is a vanilla RNN (rnn_backward), the
    right-to-left one on reversed time; x feeds both, so dx = dx_f + dx_b (reversed back).
    """
    caches_f, caches_b = caches
    n_a = da.shape[0] // 2
    grads_f = rnn_backward(da[:n_a], caches_f)
    grads_b = rnn_backward(da[n_a:, :, ::-1], caches_b)
    weights = ["dWax", "dWaa", "dba"]
    return {
        "dx": grads_f["dx"] + grads_b["dx"][:, :, ::-1],
        "da0_f": grads_f["da0"],
        "da0_b": grads_b["da0"],
        "forward": {key: grads_f[key] for key in weights},
        "backward": {key: grads_b[key] for key in weights},
    }


def deep_rnn_forward(x, a0, parameters):
    """Deep (stacked) RNN: layer l reads the states of layer l-1 as its input sequence.

    Inputs:
    - x: (n_x, m, T_x)
    - a0: list of the L initial states, a0[l] of shape (n_a_l, m)
    - parameters: dict with "layers", a list of L vanilla dicts (layer l: Wax (n_a_l, n_a_{l-1}) with
      n_a_{-1} = n_x, Waa (n_a_l, n_a_l), ba (n_a_l, 1)), and the top layer's output Wy (n_y, n_a_{L-1}), by

    Returns:
    - a: list of the L state arrays, a[l] of shape (n_a_l, m, T_x)
    - y_pred: (n_y, m, T_x), from the top layer
    - caches: list of the L layers' caches, for deep_rnn_backward

    Notes
    -----
    a[l]<t> = tanh(Waa_l a[l]<t-1> + Wax_l a[l-1]<t> + ba_l),   with a[-1]<t> = x<t>
    y_hat<t> = softmax(Wy a[L-1]<t> + by)
    """
    a, caches = [], []
    layer_input = x
    for layer, a0_layer in zip(parameters["layers"], a0):
        layer_input, cache = rnn_states(layer_input, a0_layer, layer)
        a.append(layer_input)
        caches.append(cache)
    y_pred = softmax_outputs(a[-1], parameters["Wy"], parameters["by"])
    return a, y_pred, caches


def deep_rnn_backward(da, caches):
    """Backward pass of deep_rnn_forward.

    Inputs:
    - da: upstream gradient with respect to the top layer's states, (n_a_{L-1}, m, T_x)
    - caches: from deep_rnn_forward

    Returns a dict:
    - dx: (n_x, m, T_x)
    - da0: list of the L gradients, da0[l] of shape (n_a_l, m)
    - layers: list of the L dicts {dWax, dWaa, dba}

    Notes
    -----
    From the top layer down, each layer is a vanilla RNN (rnn_backward); the dx it returns is the gradient
    with respect to its input sequence, that is the upstream da of the layer below.
    """
    L = len(caches)
    da0, layers = [None] * L, [None] * L
    for l in reversed(range(L)):
        grads = rnn_backward(da, caches[l])
        da0[l] = grads["da0"]
        layers[l] = {key: grads[key] for key in ("dWax", "dWaa", "dba")}
        da = grads["dx"]
    return {"dx": da, "da0": da0, "layers": layers}
