"""Forward values of rnn_ref on small cases worked out by hand (the working is in the comments)."""
import math
import warnings

import numpy as np
import pytest

import rnn_ref as R
from test_rnn_ref_helpers import gru_parameters, lstm_parameters, randn, rnn_parameters

# Hand-worked numbers are compared to 1e-12 (they go through math.tanh/exp, not NumPy).
close = dict(rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- activations

def test_sigmoid_known_values():
    """Are sigmoid(0) = 1/2, sigmoid(ln 3) = 3/4 and sigmoid(-ln 3) = 1/4, for scalars and arrays?"""
    # 1 / (1 + e^-ln3) = 1 / (1 + 1/3) = 3/4
    assert R.sigmoid(0.0) == 0.5
    np.testing.assert_allclose(R.sigmoid(np.array([[0.0, math.log(3)], [-math.log(3), 0.0]])),
                               [[0.5, 0.75], [0.25, 0.5]], **close)


def test_sigmoid_extremes_without_warnings():
    """Are sigmoid(-1000) == 0.0 and sigmoid(1000) == 1.0 exactly, with warnings and float errors raising?"""
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        assert R.sigmoid(-1000.0) == 0.0
        assert R.sigmoid(1000.0) == 1.0
        assert np.array_equal(R.sigmoid(np.array([-1000.0, 1000.0])), [0.0, 1.0])
        assert np.all(np.isfinite(R.sigmoid_derivative(np.array([-1000.0, 1000.0]))))


def test_tanh_and_relu_known_values():
    """Are tanh(ln 2) = 3/5, tanh(0) = 0, relu([-1, 0, 2]) = [0, 0, 2]?"""
    # tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 3/5
    np.testing.assert_allclose(R.tanh(math.log(2)), 0.6, **close)
    assert R.tanh(0.0) == 0.0
    assert np.array_equal(R.relu(np.array([-1.0, 0.0, 2.0])), [0.0, 0.0, 2.0])


def test_derivatives_known_values():
    """Are sigmoid'(0) = 1/4, tanh'(0) = 1, tanh'(ln 2) = 16/25 and relu'([-1, 0, 2]) = [0, 0, 1]?"""
    assert R.sigmoid_derivative(0.0) == 0.25
    assert R.tanh_derivative(0.0) == 1.0
    np.testing.assert_allclose(R.tanh_derivative(math.log(2)), 1 - 0.36, **close)  # 1 - (3/5)^2
    assert np.array_equal(R.relu_derivative(np.array([-1.0, 0.0, 2.0])), [0.0, 0.0, 1.0])
    assert R.relu_derivative(0.0) == 0.0  # we take relu'(0) = 0


def test_softmax_columns():
    """Does softmax work column by column: [0, ln 3] -> [1/4, 3/4], and equal logits -> 1/2 each?"""
    z = np.array([[0.0, 5.0], [math.log(3), 5.0]])
    np.testing.assert_allclose(R.softmax(z), [[0.25, 0.5], [0.75, 0.5]], **close)


def test_softmax_large_logits_stable():
    """Does softmax survive logits of 1000 (no overflow) and keep each column summing to 1?"""
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        p = R.softmax(np.array([[1000.0, -1000.0], [1000.0, 0.0], [-1000.0, 1000.0]]))
    np.testing.assert_allclose(p, [[0.5, 0.0], [0.5, 0.0], [0.0, 1.0]], **close)
    np.testing.assert_allclose(p.sum(axis=0), 1.0, **close)


def test_activations_keep_scalars_and_shapes():
    """Does every activation return float64 of its input's shape, for a scalar, a column and a 3-d array?"""
    for name in ["sigmoid", "tanh", "relu", "sigmoid_derivative", "tanh_derivative", "relu_derivative"]:
        g = getattr(R, name)
        assert np.ndim(g(1.5)) == 0, name
        for shape in [(3, 1), (2, 3, 4)]:
            out = g(np.ones(shape, dtype=int))
            assert out.shape == shape and out.dtype == np.float64, name


# ---------------------------------------------------------------- vanilla RNN

# n_x = n_a = 1, n_y = 2, m = 2. Wax = 0.5, Waa = 1, ba = 0; Wya = [1, -1]^T, by = 0.
RNN_1D = {"Wax": np.array([[0.5]]), "Waa": np.array([[1.0]]), "ba": np.array([[0.0]]),
          "Wya": np.array([[1.0], [-1.0]]), "by": np.array([[0.0], [0.0]])}


def test_rnn_cell_forward_by_hand():
    """Does one RNN step give a_next = tanh(Waa a_prev + Wax xt + ba) and yt_pred = softmax(Wya a_next + by)?"""
    xt = np.array([[1.0, 2.0]])
    a_prev = np.array([[-0.5, 0.0]])
    # example 1: 1 * (-0.5) + 0.5 * 1 = 0 -> a = tanh(0) = 0;  example 2: 0 + 0.5 * 2 = 1 -> a = tanh(1)
    a_next, yt_pred, cache = R.rnn_cell_forward(xt, a_prev, RNN_1D)
    t1 = math.tanh(1.0)
    np.testing.assert_allclose(a_next, [[0.0, t1]], **close)
    # softmax([a, -a]) = [e^a, e^-a] / (e^a + e^-a) = [1 / (1 + e^-2a), 1 / (1 + e^2a)]
    np.testing.assert_allclose(yt_pred, [[0.5, 1 / (1 + math.exp(-2 * t1))], [0.5, 1 / (1 + math.exp(2 * t1))]],
                               **close)
    assert cache[0] is a_next and cache[1] is a_prev and cache[2] is xt and cache[3] is RNN_1D


def test_rnn_cell_forward_uses_ba_and_by():
    """Do the biases enter: ba = 0.5 with zero input gives tanh(0.5); by = [ln 3, 0] with a = 0 gives [3/4, 1/4]?"""
    parameters = {**RNN_1D, "ba": np.array([[0.5]]), "by": np.array([[math.log(3)], [0.0]]),
                  "Wya": np.zeros((2, 1))}
    a_next, yt_pred, _ = R.rnn_cell_forward(np.zeros((1, 1)), np.zeros((1, 1)), parameters)
    np.testing.assert_allclose(a_next, [[math.tanh(0.5)]], **close)
    np.testing.assert_allclose(yt_pred, [[0.75], [0.25]], **close)


def test_rnn_forward_by_hand():
    """Does rnn_forward feed a<t-1> into step t: a<1> = tanh(0.5 x<1> + a<0>), a<2> = tanh(0.5 x<2> + a<1>)?"""
    x = np.array([[[2.0, -4.0]]])  # (n_x = 1, m = 1, T_x = 2)
    a0 = np.array([[0.25]])
    a1 = math.tanh(0.5 * 2.0 + 0.25)  # tanh(1.25)
    a2 = math.tanh(0.5 * -4.0 + a1)  # tanh(-2 + a1)
    a, y_pred, caches = R.rnn_forward(x, a0, RNN_1D)
    np.testing.assert_allclose(a, [[[a1, a2]]], **close)
    np.testing.assert_allclose(y_pred[0, 0], [1 / (1 + math.exp(-2 * a1)), 1 / (1 + math.exp(-2 * a2))], **close)
    assert y_pred.shape == (2, 1, 2) and len(caches[0]) == 2 and caches[1] is x


def test_rnn_cell_backward_by_hand():
    """Does one backward step give dz = da_next (1 - a_next^2), dWax = dz xt, dWaa = dz a_prev, dxt = Wax dz?"""
    # a_prev = 0, xt = 2, Wax = 0.5: a_next = tanh(1) = t; with da_next = 1, dz = 1 - t^2
    _, _, cache = R.rnn_cell_forward(np.array([[2.0]]), np.array([[0.0]]), RNN_1D)
    g = R.rnn_cell_backward(np.array([[1.0]]), cache)
    dz = 1 - math.tanh(1.0) ** 2
    expected = {"dxt": 0.5 * dz, "da_prev": 1.0 * dz, "dWax": dz * 2.0, "dWaa": dz * 0.0, "dba": dz}
    assert set(g) == set(expected)
    for key, value in expected.items():
        np.testing.assert_allclose(g[key], [[value]], **close, err_msg=key)


# ---------------------------------------------------------------- gates (rnn_ref.gates)

def test_gate_forward_by_hand():
    """Is Gamma = sigmoid(W xt + U a_prev + b): W = 2, U = -1, b = ln 3 - 1, xt = a_prev = 1 -> 3/4?"""
    Gamma = R.gate_forward(np.array([[1.0]]), np.array([[1.0]]), np.array([[2.0]]), np.array([[-1.0]]),
                           np.array([[math.log(3) - 1.0]]))
    np.testing.assert_allclose(Gamma, [[0.75]], **close)  # 2 * 1 - 1 * 1 + ln 3 - 1 = ln 3


def test_memory_cell_step_keeps_erases_overwrites():
    """Does c_next = Gamma_u * c_tilde + Gamma_f * c_prev keep (f=1, u=0), erase (0, 0) and overwrite (0, 1)?"""
    c_prev, c_tilde = np.array([[0.7, -0.2]]), np.array([[0.1, 0.9]])
    one, zero = np.ones((1, 2)), np.zeros((1, 2))
    np.testing.assert_array_equal(R.memory_cell_step(c_prev, c_tilde, zero, one), c_prev)
    np.testing.assert_array_equal(R.memory_cell_step(c_prev, c_tilde, zero, zero), zero)
    np.testing.assert_array_equal(R.memory_cell_step(c_prev, c_tilde, one, zero), c_tilde)


def test_gates_agree_with_the_lstm():
    """Do gate_forward on the split weights and memory_cell_forward on the gates give lstm_forward's gates and c?"""
    rng = np.random.default_rng(13)
    n_x, n_a, m, T_x = 2, 3, 2, 4
    parameters = {name: 0.5 * rng.standard_normal((n_a, n_a + n_x)) for name in ["Wf", "Wu", "Wc", "Wo"]}
    parameters.update({name: 0.5 * rng.standard_normal((n_a, 1)) for name in ["bf", "bu", "bc", "bo"]})
    parameters.update(Wy=np.ones((1, n_a)), by=np.zeros((1, 1)))
    x, a0 = rng.standard_normal((n_x, m, T_x)), rng.standard_normal((n_a, m))
    _, _, c, (cell_caches, _) = R.lstm_forward(x, a0, parameters)
    Wf = parameters["Wf"]
    # a cell's cache = (a_next, c_next, a_prev, c_prev, Gamma_f, Gamma_u, c_tilde, Gamma_o, xt, parameters)
    for cache in cell_caches:
        a_prev, Gamma_f, xt = cache[2], cache[4], cache[8]
        # the stacked W = [U | W]: columns :n_a act on a_prev (U), columns n_a: on xt (W)
        Gamma = R.gate_forward(xt, a_prev, Wf[:, n_a:], Wf[:, :n_a], parameters["bf"])
        np.testing.assert_allclose(Gamma, Gamma_f, rtol=0, atol=1e-15)
    gates = [np.stack([cache[k] for cache in cell_caches], axis=2) for k in (6, 5, 4)]  # c_tilde, Gamma_u, Gamma_f
    np.testing.assert_allclose(R.memory_cell_forward(np.zeros((n_a, m)), *gates), c, rtol=0, atol=1e-15)


# ---------------------------------------------------------------- GRU and LSTM

def gates_1d(gates, **values):
    """n_x = n_a = n_y = 1 parameters: every W and b zero unless given; W is (1, 2) acting on [a_prev; xt]."""
    parameters = {"Wy": np.array([[1.0]]), "by": np.array([[0.0]])}
    for g in gates:
        parameters["W" + g] = np.array(values.get("W" + g, [[0.0, 0.0]]))
        parameters["b" + g] = np.array(values.get("b" + g, [[0.0]]))
    return parameters


def test_gru_with_zero_weights_halves_the_state():
    """With all weights zero, is Gamma_u = 1/2 and c_tilde = tanh(0) = 0, so that a_next = a_prev / 2?"""
    a_next, yt_pred, _ = R.gru_cell_forward(np.array([[3.0]]), np.array([[0.4]]), gates_1d("urc"))
    np.testing.assert_allclose(a_next, [[0.2]], **close)  # 1/2 * 0 + (1 - 1/2) * 0.4
    assert yt_pred.shape == (1, 1) and yt_pred[0, 0] == 1.0  # softmax over a single class


def test_gru_relevance_gate_scales_a_prev_inside_the_candidate():
    """Is c_tilde = tanh(Wc [Gamma_r * a_prev; xt] + bc): Wc = [2, 0], Gamma_r = 1/2, a_prev = 1 -> tanh(1)?"""
    a_next, _, cache = R.gru_cell_forward(np.array([[5.0]]), np.array([[1.0]]), gates_1d("urc", Wc=[[2.0, 0.0]]))
    # c_tilde = tanh(2 * (1/2 * 1) + 0 * 5) = tanh(1);  a_next = 1/2 tanh(1) + 1/2 * 1
    np.testing.assert_allclose(cache[5], [[math.tanh(1.0)]], **close)
    np.testing.assert_allclose(a_next, [[0.5 * math.tanh(1.0) + 0.5]], **close)


def test_gru_update_gate_chooses_candidate():
    """Does bu = +1000 (Gamma_u = 1) give a_next = c_tilde, and bu = -1000 (Gamma_u = 0) give a_next = a_prev?"""
    xt, a_prev = np.array([[1.0]]), np.array([[0.3]])
    open_gate = gates_1d("urc", bu=[[1000.0]], Wc=[[0.0, 1.0]])  # c_tilde = tanh(xt) = tanh(1)
    np.testing.assert_allclose(R.gru_cell_forward(xt, a_prev, open_gate)[0], [[math.tanh(1.0)]], **close)
    closed_gate = gates_1d("urc", bu=[[-1000.0]], Wc=[[0.0, 1.0]])
    np.testing.assert_allclose(R.gru_cell_forward(xt, a_prev, closed_gate)[0], [[0.3]], **close)


def test_lstm_with_zero_weights():
    """With all weights zero (gates 1/2, c_tilde 0): c_next = c_prev / 2 and a_next = tanh(c_next) / 2?"""
    a_next, c_next, _, _ = R.lstm_cell_forward(np.array([[3.0]]), np.array([[-2.0]]), np.array([[1.0]]),
                                               gates_1d("fuco"))
    np.testing.assert_allclose(c_next, [[0.5]], **close)  # 1/2 * 0 + 1/2 * 1
    np.testing.assert_allclose(a_next, [[0.5 * math.tanh(0.5)]], **close)  # Gamma_o * tanh(c_next)


def test_lstm_gates_by_hand():
    """Do saturated gates keep the cell (c_next = c_prev, a_next = tanh(c_prev)) or overwrite it with c_tilde?"""
    xt, a_prev, c_prev = np.array([[1.0]]), np.array([[0.5]]), np.array([[0.7]])
    keep = gates_1d("fuco", bf=[[1000.0]], bu=[[-1000.0]], bo=[[1000.0]])
    a_next, c_next, _, _ = R.lstm_cell_forward(xt, a_prev, c_prev, keep)
    np.testing.assert_allclose(c_next, [[0.7]], **close)
    np.testing.assert_allclose(a_next, [[math.tanh(0.7)]], **close)

    write = gates_1d("fuco", bf=[[-1000.0]], bu=[[1000.0]], bo=[[1000.0]], Wc=[[2.0, 1.0]], bc=[[-1.5]])
    a_next, c_next, _, _ = R.lstm_cell_forward(xt, a_prev, c_prev, write)
    c_tilde = math.tanh(2.0 * 0.5 + 1.0 * 1.0 - 1.5)  # hidden weight first: Wc [a_prev; xt] + bc = tanh(0.5)
    np.testing.assert_allclose(c_next, [[c_tilde]], **close)
    np.testing.assert_allclose(a_next, [[math.tanh(c_tilde)]], **close)


def test_lstm_forward_starts_from_zero_cell():
    """Does lstm_forward start from c<0> = 0 and return every c<t>: c<1> = tanh(1)/2, c<2> = (c<1> + tanh(1))/2?"""
    x = np.ones((1, 1, 2))
    parameters = gates_1d("fuco", bc=[[1.0]])  # c_tilde = tanh(1) = t, gates 1/2
    a, y_pred, c, caches = R.lstm_forward(x, np.zeros((1, 1)), parameters)
    t = math.tanh(1.0)
    c1 = 0.5 * 0.0 + 0.5 * t  # c<0> = 0
    c2 = 0.5 * c1 + 0.5 * t
    np.testing.assert_allclose(c, [[[c1, c2]]], **close)
    np.testing.assert_allclose(a, [[[0.5 * math.tanh(c1), 0.5 * math.tanh(c2)]]], **close)
    assert y_pred.shape == (1, 1, 2) and len(caches[0]) == 2


# ---------------------------------------------------------------- variants

def test_birnn_directions_by_hand():
    """Does the forward pass read left to right and the backward pass right to left, stacked [a_f; a_b]?"""
    # forward: Wax = 1, Waa = 0 -> a_f<t> = tanh(x<t>)
    # backward: Wax = 0, Waa = 1 -> a_b<2> = tanh(a0_b), a_b<1> = tanh(a_b<2>)
    one, zero = np.array([[1.0]]), np.array([[0.0]])
    parameters = {"forward": {"Wax": one, "Waa": zero, "ba": zero},
                  "backward": {"Wax": zero, "Waa": one, "ba": zero},
                  "Wy": np.array([[1.0, 1.0]]), "by": zero}
    x = np.array([[[0.3, -0.8]]])
    a, y_pred, _ = R.birnn_forward(x, np.array([[9.0]]), np.array([[0.5]]), parameters)
    a_b2 = math.tanh(0.5)
    np.testing.assert_allclose(a, [[[math.tanh(0.3), math.tanh(-0.8)]], [[math.tanh(a_b2), a_b2]]], **close)
    assert a.shape == (2, 1, 2) and y_pred.shape == (1, 1, 2)


def test_deep_rnn_layers_by_hand():
    """Does layer 1 read layer 0's states: a[0]<t> = tanh(x<t>), a[1]<t> = tanh(2 a[0]<t> + a[1]<t-1>)?"""
    one, zero = np.array([[1.0]]), np.array([[0.0]])
    parameters = {"layers": [{"Wax": one, "Waa": zero, "ba": zero},
                             {"Wax": np.array([[2.0]]), "Waa": one, "ba": zero}],
                  "Wy": np.array([[1.0], [0.0]]), "by": np.zeros((2, 1))}
    x = np.array([[[0.3, -0.8]]])
    a, y_pred, _ = R.deep_rnn_forward(x, [zero, np.array([[0.1]])], parameters)
    low = [math.tanh(0.3), math.tanh(-0.8)]
    high1 = math.tanh(2 * low[0] + 0.1)
    high2 = math.tanh(2 * low[1] + high1)
    np.testing.assert_allclose(a[0], [[low]], **close)
    np.testing.assert_allclose(a[1], [[[high1, high2]]], **close)
    np.testing.assert_allclose(y_pred[0, 0], [1 / (1 + math.exp(-high1)), 1 / (1 + math.exp(-high2))], **close)


# ---------------------------------------------------------------- loss

def test_sequence_cross_entropy_by_hand():
    """Is the loss -sum_t sum_k y log y_pred averaged over m: 2 steps, 2 examples -> -(2 ln 1/2 + 2 ln 3/4) / 2?"""
    step = np.array([[0.5, 0.25], [0.5, 0.75]])  # (n_y = 2, m = 2): example 1 -> class 0, example 2 -> class 1
    y_step = np.array([[1.0, 0.0], [0.0, 1.0]])
    y_pred, y = np.stack([step, step], axis=2), np.stack([y_step, y_step], axis=2)
    expected = -(2 * math.log(0.5) + 2 * math.log(0.75)) / 2  # summed over both steps, averaged over m = 2
    assert R.sequence_cross_entropy(y_pred, y) == pytest.approx(expected, rel=1e-14)
    np.testing.assert_allclose(R.sequence_cross_entropy_backward(y_pred, y), (y_pred - y) / 2, **close)


def test_sequence_cross_entropy_guards_log_zero():
    """A zero probability: free (0.0) where the target is 0, large but finite where it is 1, and no warning?"""
    y = np.array([[[1.0]], [[0.0]]])  # (n_y = 2, m = 1, T = 1), target class 0
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        assert R.sequence_cross_entropy(np.array([[[1.0]], [[0.0]]]), y) == 0.0
        worst = R.sequence_cross_entropy(np.array([[[0.0]], [[1.0]]]), y)
    assert worst == pytest.approx(-math.log(np.finfo(np.float64).tiny)) and 700 < worst < 710


def test_output_layer_backward_by_hand():
    """With one step and one example: dWya = dz a^T, dby = dz, da = Wya^T dz."""
    a = np.array([[[2.0]], [[-1.0]]])  # (n_a = 2, m = 1, T = 1)
    dz = np.array([[[0.5]]])  # (n_y = 1, 1, 1)
    g = R.output_layer_backward(dz, a, {"Wya": np.array([[3.0, 4.0]]), "by": np.zeros((1, 1))})
    np.testing.assert_allclose(g["dWya"], [[1.0, -0.5]], **close)
    np.testing.assert_allclose(g["dby"], [[0.5]], **close)
    np.testing.assert_allclose(g["da"], [[[1.5]], [[2.0]]], **close)


def test_output_layer_backward_names_its_weights():
    """Is the weight gradient keyed dWya for Wya and dWy for Wy, and is a dict with both (or neither) refused?"""
    a, dz = np.ones((2, 1, 1)), np.ones((1, 1, 1))
    W, b = np.ones((1, 2)), np.zeros((1, 1))
    assert set(R.output_layer_backward(dz, a, {"Wya": W, "by": b})) == {"dWya", "dby", "da"}
    assert set(R.output_layer_backward(dz, a, {"Wy": W, "by": b})) == {"dWy", "dby", "da"}
    for parameters in [{"Wya": W, "Wy": W, "by": b}, {"by": b}]:
        with pytest.raises(ValueError, match="exactly one of 'Wya' and 'Wy'"):
            R.output_layer_backward(dz, a, parameters)


# ---------------------------------------------------------------- whole sequences = the cells at every step

def cells_unrolled(model, x, a0, parameters):
    """The cell functions looped by hand: the states, the outputs, and the caches, one cell at a time."""
    a, y_pred, caches, c_prev = [], [], [], np.zeros(a0.shape)
    a_prev = a0
    for t in range(x.shape[2]):
        if model == "lstm":
            a_prev, c_prev, yt_pred, cache = R.lstm_cell_forward(x[:, :, t], a_prev, c_prev, parameters)
        else:
            a_prev, yt_pred, cache = getattr(R, model + "_cell_forward")(x[:, :, t], a_prev, parameters)
        a.append(a_prev)
        y_pred.append(yt_pred)
        caches.append(cache)
    return np.stack(a, axis=2), np.stack(y_pred, axis=2), caches


@pytest.mark.parametrize("model", ["rnn", "gru", "lstm"])
def test_sequence_functions_equal_the_cells_at_every_step(model):
    """Do *_forward (outputs computed after the loop) and *_backward (the gates stacked, the weights' gradients
    summed over all the steps in one product) give what the cell functions give, looped step by step?"""
    rng = np.random.default_rng(14)
    n_x, n_a, n_y, m, T_x = 3, 4, 2, 2, 5
    parameters = {"rnn": rnn_parameters, "gru": gru_parameters, "lstm": lstm_parameters}[model](rng, n_x, n_a, n_y)
    x, a0, da = randn(rng, n_x, m, T_x), randn(rng, n_a, m), randn(rng, n_a, m, T_x)
    results = getattr(R, model + "_forward")(x, a0, parameters)
    a, y_pred, (cell_caches, x_cached) = results[0], results[1], results[-1]
    a_cells, y_cells, caches_cells = cells_unrolled(model, x, a0, parameters)
    np.testing.assert_allclose(a, a_cells, **close)
    np.testing.assert_allclose(y_pred, y_cells, **close)
    assert x_cached is x and len(cell_caches) == T_x
    for cache, expected in zip(cell_caches, caches_cells):  # the same cache layout, entry by entry
        assert len(cache) == len(expected) and cache[-1] is parameters
        for entry, value in zip(cache[:-1], expected[:-1]):
            np.testing.assert_allclose(entry, value, **close)

    grads = getattr(R, model + "_backward")(da, results[-1])
    expected = {key: 0.0 for key in grads if key not in ("dx", "da0")}
    dx, da_prev, dc_prev = np.zeros(x.shape), np.zeros((n_a, m)), np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        if model == "lstm":
            g = R.lstm_cell_backward(da[:, :, t] + da_prev, dc_prev, cell_caches[t])
            dc_prev = g["dc_prev"]
        else:
            g = getattr(R, model + "_cell_backward")(da[:, :, t] + da_prev, cell_caches[t])
        dx[:, :, t], da_prev = g["dxt"], g["da_prev"]
        expected = {key: total + g[key] for key, total in expected.items()}
    expected.update(dx=dx, da0=da_prev)
    assert grads.keys() == expected.keys()
    for key in grads:
        np.testing.assert_allclose(grads[key], expected[key], **close, err_msg=key)


def test_over_time_layouts():
    """steps, sequence, side_by_side and from_side_by_side put step t where their docstrings say."""
    from rnn_ref.over_time import from_side_by_side, sequence, side_by_side, steps
    n, m, T = 3, 2, 4
    x = np.arange(n * m * T, dtype=float).reshape(n, m, T)
    x_steps = steps(x)
    assert len(x_steps) == T and all(xt.flags.c_contiguous for xt in x_steps)
    for t in range(T):
        np.testing.assert_array_equal(x_steps[t], x[:, :, t])
    np.testing.assert_array_equal(sequence(x_steps), x)
    wide = side_by_side(x_steps)
    assert wide.shape == (n, T * m)
    for t in range(T):
        np.testing.assert_array_equal(wide[:, t * m:(t + 1) * m], x[:, :, t])
    np.testing.assert_array_equal(from_side_by_side(wide, T), x)
    # the point of the layout: one product is the sum over the steps
    dz = np.random.default_rng(3).standard_normal((5, m, T))
    np.testing.assert_allclose(side_by_side(steps(dz)) @ wide.T,
                               sum(dz[:, :, t] @ x[:, :, t].T for t in range(T)), rtol=1e-12)
