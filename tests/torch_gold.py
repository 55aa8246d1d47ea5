"""PyTorch "gold" models for the rnn_ref tests: the same networks, run and differentiated by torch (float64).

Every function takes rnn_ref's arrays and parameter dicts, copies the weights into torch with each transpose
and split written out, and returns NumPy arrays in rnn_ref's layout, so that a test compares key by key.

Layouts. rnn_ref: one example per column, x (n_x, m, T_x), a (n_a, m, T_x), gate weights acting on the
stacked column [a_prev; xt]. torch.nn: one example per row, time first: input (T_x, m, n_x), h0 (layers, m, n_a),
output (T_x, m, n_a), and h_t = f(x_t W_ih^T + h_{t-1} W_hh^T + b_ih + b_hh) on rows. Transposing that
equation gives columns: h_t^T = f(W_ih x_t^T + W_hh h_{t-1}^T + ...), so W_ih plays Wax and W_hh plays Waa
with no transpose of the weights themselves; only the data move between layouts.

Gradients are those of the scalar sum(da * a), a being the hidden states, as in rnn_ref's backward functions.
"""
import numpy as np
import torch


def _leaf(array):
    """A float64 torch tensor that collects a gradient (a copy: the NumPy array is never touched)."""
    return torch.tensor(array, dtype=torch.float64, requires_grad=True)


def _numpy(tensor):
    return tensor.detach().numpy().copy()


def _to_torch_sequence(x):
    """(n_x, m, T_x) -> (T_x, m, n_x): axis 2 (time) first, axis 0 (features) last."""
    return _leaf(x.transpose(2, 1, 0))


def _from_torch_sequence(tensor):
    """(T_x, m, n) -> (n, m, T_x), the inverse of _to_torch_sequence."""
    return tensor.permute(2, 1, 0)


def _outputs(a, Wy, by):
    """softmax(Wy a<t> + by) over the classes at every step, a (n_a, m, T_x) -> (n_y, m, T_x)."""
    z = torch.einsum("ya,amt->ymt", torch.from_numpy(Wy), a) + torch.from_numpy(by)[:, :, None]
    return torch.softmax(z, dim=0)


def _backward_sum(da, a):
    """Backpropagate the scalar sum(da * a), da in rnn_ref's layout (n_a, m, T_x)."""
    (torch.from_numpy(da) * a).sum().backward()


def _copy_vanilla(module, suffix, parameters):
    """Copy a vanilla dict (Wax, Waa, ba) into the torch.nn.RNN weights named *_{suffix}."""
    with torch.no_grad():
        getattr(module, "weight_ih_" + suffix).copy_(torch.from_numpy(parameters["Wax"]))  # (n_a, n_x), as is
        getattr(module, "weight_hh_" + suffix).copy_(torch.from_numpy(parameters["Waa"]))  # (n_a, n_a), as is
        getattr(module, "bias_ih_" + suffix).copy_(torch.from_numpy(parameters["ba"][:, 0]))  # (n_a, 1) -> (n_a,)
        getattr(module, "bias_hh_" + suffix).zero_()  # torch has two biases; ba alone plays their sum


def _vanilla_grads(module, suffix):
    """dWax, dWaa, dba of the torch.nn.RNN weights named *_{suffix}, in rnn_ref's shapes."""
    return {
        "dWax": _numpy(getattr(module, "weight_ih_" + suffix).grad),
        "dWaa": _numpy(getattr(module, "weight_hh_" + suffix).grad),
        "dba": _numpy(getattr(module, "bias_ih_" + suffix).grad)[:, None],  # (n_a,) -> (n_a, 1)
    }


def torch_rnn(x, a0, parameters, da):
    """torch.nn.RNN(nonlinearity="tanh") with rnn_ref's vanilla weights.

    Returns a (n_a, m, T_x), y_pred (n_y, m, T_x) and the gradients {dx, da0, dWax, dWaa, dba} of sum(da * a).
    """
    n_x, n_a = x.shape[0], a0.shape[0]
    rnn = torch.nn.RNN(n_x, n_a, nonlinearity="tanh", dtype=torch.float64)
    _copy_vanilla(rnn, "l0", parameters)
    x_t = _to_torch_sequence(x)
    h0 = _leaf(a0.T[None])  # (n_a, m) -> (m, n_a) -> (1, m, n_a): one layer
    out, _ = rnn(x_t, h0)  # (T_x, m, n_a)
    a = _from_torch_sequence(out)
    y_pred = _outputs(a, parameters["Wya"], parameters["by"])
    _backward_sum(da, a)
    grads = {"dx": _numpy(_from_torch_sequence(x_t.grad)), "da0": _numpy(h0.grad[0].T), **_vanilla_grads(rnn, "l0")}
    return _numpy(a), _numpy(y_pred), grads


# torch.nn.LSTM stacks its gates in the order i, f, g, o; in rnn_ref they are Gamma_u, Gamma_f, c_tilde, Gamma_o.
LSTM_GATES = ["u", "f", "c", "o"]


def torch_lstm(x, a0, parameters, da):
    """torch.nn.LSTM with rnn_ref's LSTM weights, c0 = 0.

    Returns a (n_a, m, T_x), y_pred (n_y, m, T_x), c_last (n_a, m) (torch returns the last cell only) and the
    gradients {dx, da0, dWf, dbf, dWu, dbu, dWc, dbc, dWo, dbo} of sum(da * a).
    """
    n_x, n_a = x.shape[0], a0.shape[0]
    lstm = torch.nn.LSTM(n_x, n_a, dtype=torch.float64)
    with torch.no_grad():
        # Our W (n_a, n_a + n_x) multiplies [a_prev; xt]: columns :n_a act on a_prev (torch's W_hh), columns
        # n_a: act on xt (torch's W_ih). torch stacks the four gates' rows: (4 n_a, n_x) and (4 n_a, n_a).
        lstm.weight_ih_l0.copy_(torch.from_numpy(np.vstack([parameters["W" + g][:, n_a:] for g in LSTM_GATES])))
        lstm.weight_hh_l0.copy_(torch.from_numpy(np.vstack([parameters["W" + g][:, :n_a] for g in LSTM_GATES])))
        # Biases (n_a, 1) each -> one (4 n_a,) vector; b_hh = 0 so that b_ih + b_hh = our b.
        lstm.bias_ih_l0.copy_(torch.from_numpy(np.concatenate([parameters["b" + g][:, 0] for g in LSTM_GATES])))
        lstm.bias_hh_l0.zero_()
    x_t = _to_torch_sequence(x)
    h0 = _leaf(a0.T[None])  # (n_a, m) -> (1, m, n_a)
    c0 = torch.zeros(1, x.shape[1], n_a, dtype=torch.float64)
    out, (_, c_n) = lstm(x_t, (h0, c0))
    a = _from_torch_sequence(out)
    y_pred = _outputs(a, parameters["Wy"], parameters["by"])
    _backward_sum(da, a)

    grads = {"dx": _numpy(_from_torch_sequence(x_t.grad)), "da0": _numpy(h0.grad[0].T)}
    dW_ih, dW_hh, db = _numpy(lstm.weight_ih_l0.grad), _numpy(lstm.weight_hh_l0.grad), _numpy(lstm.bias_ih_l0.grad)
    for k, g in enumerate(LSTM_GATES):
        rows = slice(k * n_a, (k + 1) * n_a)  # gate g's block of torch's stacked rows
        grads["dW" + g] = np.hstack([dW_hh[rows], dW_ih[rows]])  # back to the columns of [a_prev; xt]
        grads["db" + g] = db[rows][:, None]  # (n_a,) -> (n_a, 1)
    return _numpy(a), _numpy(y_pred), _numpy(c_n[0].T), grads


def torch_gru(x, a0, parameters, da):
    """The CS 230 cheatsheet's GRU written in torch operations (torch.nn.GRU is another formula), in rnn_ref's layout.

    Returns a (n_a, m, T_x), y_pred (n_y, m, T_x) and the gradients
    {dx, da0, dWu, dbu, dWr, dbr, dWc, dbc} of sum(da * a), by autograd.
    """
    P = {name: _leaf(value) for name, value in parameters.items()}
    x_t, a_prev = _leaf(x), _leaf(a0)  # no layout change: columns as in rnn_ref
    a = gru_states(x_t, a_prev, P)
    y_pred = _outputs(a, parameters["Wy"], parameters["by"])
    _backward_sum(da, a)
    grads = {"dx": _numpy(x_t.grad), "da0": _numpy(a_prev.grad)}
    grads.update({"d" + name: _numpy(P[name].grad) for name in ["Wu", "bu", "Wr", "br", "Wc", "bc"]})
    return _numpy(a), _numpy(y_pred), grads


def gru_states(x, a0, P):
    """The cheatsheet's GRU over x (n_x, m, T_x) from a0 (n_a, m), torch tensors in rnn_ref's columns, P a dict
    of tensors Wu, bu, Wr, br, Wc, bc: the hidden states a (n_a, m, T_x), differentiable."""
    states = []
    a_next = a0
    for t in range(x.shape[2]):
        concat = torch.cat([a_next, x[:, :, t]], dim=0)
        Gamma_u = torch.sigmoid(P["Wu"] @ concat + P["bu"])
        Gamma_r = torch.sigmoid(P["Wr"] @ concat + P["br"])
        c_tilde = torch.tanh(P["Wc"] @ torch.cat([Gamma_r * a_next, x[:, :, t]], dim=0) + P["bc"])
        a_next = Gamma_u * c_tilde + (1 - Gamma_u) * a_next
        states.append(a_next)
    return torch.stack(states, dim=2)


def torch_birnn(x, a0_f, a0_b, parameters, da):
    """torch.nn.RNN(bidirectional=True): the "_reverse" weights are rnn_ref's parameters["backward"].

    Returns a (2 n_a, m, T_x), y_pred and the gradients {dx, da0_f, da0_b, forward: {...}, backward: {...}}.
    """
    n_x, n_a = x.shape[0], a0_f.shape[0]
    rnn = torch.nn.RNN(n_x, n_a, nonlinearity="tanh", bidirectional=True, dtype=torch.float64)
    _copy_vanilla(rnn, "l0", parameters["forward"])
    _copy_vanilla(rnn, "l0_reverse", parameters["backward"])
    x_t = _to_torch_sequence(x)
    h0 = _leaf(np.stack([a0_f.T, a0_b.T]))  # two (m, n_a) -> (2, m, n_a): forward direction first
    out, _ = rnn(x_t, h0)  # (T_x, m, 2 n_a): features [forward; backward], as rnn_ref's a
    a = _from_torch_sequence(out)
    y_pred = _outputs(a, parameters["Wy"], parameters["by"])
    _backward_sum(da, a)
    grads = {
        "dx": _numpy(_from_torch_sequence(x_t.grad)),
        "da0_f": _numpy(h0.grad[0].T),
        "da0_b": _numpy(h0.grad[1].T),
        "forward": _vanilla_grads(rnn, "l0"),
        "backward": _vanilla_grads(rnn, "l0_reverse"),
    }
    return _numpy(a), _numpy(y_pred), grads


def torch_deep_rnn(x, a0, parameters, da):
    """torch.nn.RNN(num_layers=L) with rnn_ref's layers (torch needs one n_a for every layer).

    Returns the top layer's states (n_a, m, T_x), the last state of every layer (list of (n_a, m)), y_pred,
    and the gradients {dx, da0: [...], layers: [...]} of sum(da * top states).
    """
    n_x, n_a, L = x.shape[0], a0[0].shape[0], len(a0)
    rnn = torch.nn.RNN(n_x, n_a, num_layers=L, nonlinearity="tanh", dtype=torch.float64)
    for l, layer in enumerate(parameters["layers"]):
        _copy_vanilla(rnn, f"l{l}", layer)  # layer l > 0: weight_ih (n_a, n_a) reads layer l-1's states
    x_t = _to_torch_sequence(x)
    h0 = _leaf(np.stack([a0_l.T for a0_l in a0]))  # L times (m, n_a) -> (L, m, n_a), bottom layer first
    out, h_n = rnn(x_t, h0)  # out: top layer only, (T_x, m, n_a); h_n: last state of each layer, (L, m, n_a)
    a_top = _from_torch_sequence(out)
    y_pred = _outputs(a_top, parameters["Wy"], parameters["by"])
    _backward_sum(da, a_top)
    grads = {
        "dx": _numpy(_from_torch_sequence(x_t.grad)),
        "da0": [_numpy(h0.grad[l].T) for l in range(L)],
        "layers": [_vanilla_grads(rnn, f"l{l}") for l in range(L)],
    }
    return _numpy(a_top), [_numpy(h_n[l].T) for l in range(L)], _numpy(y_pred), grads


def torch_sequence_loss(a, y, Wy, by):
    """Cross-entropy of softmax(Wy a<t> + by) against one-hot y, summed over time, averaged over m.

    Uses torch.nn.functional.cross_entropy on the logits, an independent formula for the loss and its gradient.
    Returns the loss and its gradients {dz, dW, dby, da} in rnn_ref's shapes.
    """
    n_y, m, T = y.shape
    W_t, by_t, a_t = _leaf(Wy), _leaf(by), _leaf(a)
    z = torch.einsum("ya,amt->ymt", W_t, a_t) + by_t[:, :, None]  # (n_y, m, T)
    z.retain_grad()
    logits = z.permute(1, 2, 0).reshape(m * T, n_y)  # (n_y, m, T) -> (m, T, n_y) -> one row per (example, step)
    labels = torch.from_numpy(y.argmax(axis=0).reshape(m * T))  # one-hot (n_y, m, T) -> class index per row
    loss = torch.nn.functional.cross_entropy(logits, labels, reduction="sum") / m
    loss.backward()
    grads = {"dz": _numpy(z.grad), "dW": _numpy(W_t.grad), "dby": _numpy(by_t.grad), "da": _numpy(a_t.grad)}
    return float(loss.detach()), grads
