"""Purity: no public function of rnn_ref changes its inputs (arrays, parameter dicts, caches) in place."""
import copy

import numpy as np
import pytest

import rnn_ref as R
from test_rnn_ref_helpers import (assert_unchanged, birnn_parameters, call_purely, deep_parameters, gru_parameters,
                                  lstm_parameters, one_hot, randn, rnn_parameters)

n_x, n_a, n_y, m, T_x = 3, 4, 2, 2, 3


def cases():
    """{function name: its argument tuple}, arguments drawn fresh from a seeded generator."""
    rng = np.random.default_rng(30)
    x, a0, xt, a_prev = randn(rng, n_x, m, T_x), randn(rng, n_a, m), randn(rng, n_x, m), randn(rng, n_a, m)
    da, da_next, z = randn(rng, n_a, m, T_x), randn(rng, n_a, m), randn(rng, n_y, m, T_x)
    y = one_hot(rng, n_y, m, T_x)
    rnn, gru, lstm = (build(rng, n_x, n_a, n_y) for build in (rnn_parameters, gru_parameters, lstm_parameters))
    bi, deep = birnn_parameters(rng, n_x, n_a, n_y), deep_parameters(rng, n_x, [n_a, 3], n_y)
    grads = {"dWax": randn(rng, n_a, n_x, scale=10.0), "dba": randn(rng, n_a, 1, scale=10.0)}
    deep_a0 = [a0, randn(rng, 3, m)]
    return {
        **{name: (z,) for name in ["sigmoid", "sigmoid_derivative", "tanh", "tanh_derivative", "relu",
                                   "relu_derivative", "softmax"]},
        "rnn_step_forward": (xt, a_prev, rnn),
        "rnn_cell_forward": (xt, a_prev, rnn),
        "rnn_cell_backward": (da_next, R.rnn_cell_forward(xt, a_prev, rnn)[2]),
        "rnn_forward": (x, a0, rnn),
        "rnn_backward": (da, R.rnn_forward(x, a0, rnn)[2]),
        "sequence_cross_entropy": (R.softmax(z), y),
        "sequence_cross_entropy_backward": (R.softmax(z), y),
        "output_layer_backward": (z, da, rnn),
        "clip": (grads, 1.0),
        "clip_by_norm": (grads, 1.0),
        "numerical_gradient": (np.sum, x),
        "rel_error": (x, 2 * x),
        "gradient_check": (np.sum, x, np.ones_like(x)),
        "gate_forward": (xt, a_prev, randn(rng, n_a, n_x), randn(rng, n_a, n_a), randn(rng, n_a, 1)),
        "memory_cell_step": (a_prev, da_next, R.sigmoid(a_prev), R.sigmoid(da_next)),
        "memory_cell_forward": (a0, da, R.sigmoid(da), R.sigmoid(-da)),
        "gru_cell_forward": (xt, a_prev, gru),
        "gru_cell_backward": (da_next, R.gru_cell_forward(xt, a_prev, gru)[2]),
        "gru_forward": (x, a0, gru),
        "gru_backward": (da, R.gru_forward(x, a0, gru)[2]),
        "lstm_cell_forward": (xt, a_prev, a_prev + 1.0, lstm),
        "lstm_cell_backward": (da_next, da_next - 1.0, R.lstm_cell_forward(xt, a_prev, a_prev + 1.0, lstm)[3]),
        "lstm_forward": (x, a0, lstm),
        "lstm_backward": (da, R.lstm_forward(x, a0, lstm)[3]),
        "birnn_forward": (x, a0, a_prev, bi),
        "birnn_backward": (randn(rng, 2 * n_a, m, T_x), R.birnn_forward(x, a0, a_prev, bi)[2]),
        "deep_rnn_forward": (x, deep_a0, deep),
        "deep_rnn_backward": (randn(rng, 3, m, T_x), R.deep_rnn_forward(x, deep_a0, deep)[2]),
        "initialize_rnn": (n_x, n_a, n_y),
        "initialize_gru": (n_x, n_a, n_y),
        "initialize_lstm": (n_x, n_a, n_y, 3),
        "SGD": (0.1, 0.9),
        "Adam": (0.01,),
        "last_step_output_forward": (da, gru),
        "last_step_output_backward": (randn(rng, n_y, m), da, rnn),
        "mean_squared_error": (z[:, :, 0], y[:, :, 0]),
        "mean_squared_error_backward": (z[:, :, 0], y[:, :, 0]),
        "Model": (R.rnn_forward, R.rnn_backward),
        "loss_and_gradients": ("lstm", lstm, x, y),
        "train_step": ("rnn", rnn, x, z[:, :, 0], R.Adam(0.01), 1.0, "mse"),
        "train": ("gru", gru, [(x, y), (2 * x, y)], R.SGD(0.1, 0.9), 2, 1.0, False, "cross_entropy"),
        "predict": ("lstm", lstm, x, "mse"),
        **seq2seq_cases(rng),
    }


def seq2seq_cases(rng):
    """Arguments for rnn_ref.seq2seq: ids (m, T) right-padded, lengths, a mask, the nested parameters."""
    s2s = R.initialize_seq2seq(6, 5, n_x, n_a, seed=1)
    source, lengths = rng.integers(3, 6, size=(m, T_x)), np.array([T_x, 1])
    source[1, 1:] = 0
    target_in, targets, mask = rng.integers(1, 5, size=(m, 2)), rng.integers(2, 5, size=(m, 2)), np.ones((m, 2))
    mask[1, 1] = 0
    y_pred, cache = R.seq2seq_forward(source, lengths, target_in, s2s)
    grads = R.seq2seq_backward(R.masked_cross_entropy_backward(y_pred, targets, mask), cache)
    return {
        "embedding_forward": (source, s2s["E_src"]),
        "embedding_backward": (randn(rng, n_x, m, T_x), R.embedding_forward(source, s2s["E_src"])[1]),
        "masked_cross_entropy": (y_pred, targets, mask),
        "masked_cross_entropy_backward": (y_pred, targets, mask),
        "seq2seq_forward": (source, lengths, target_in, s2s),
        "seq2seq_backward": (randn(rng, 5, m, 2), cache),
        "greedy_decode": (source, lengths, s2s, 4),
        "initialize_seq2seq": (6, 5, n_x, n_a),
        "flatten_parameters": (s2s,),
        "flatten_gradients": (grads,),
        "unflatten_parameters": (R.flatten_parameters(s2s),),
    }


# train and train_step update the optimiser they are given (its velocities or moments), by design: their
# purity check covers every other argument. Position of the optimiser among the arguments:
OPTIMIZER_ARGUMENT = {"train_step": 4, "train": 3}


def test_every_public_function_has_a_purity_case():
    """Is every name in rnn_ref.__all__ covered here (and importable from the top)?"""
    assert set(cases()) == set(R.__all__)
    assert all(callable(getattr(R, name)) for name in R.__all__)


@pytest.mark.parametrize("name", sorted(cases()))
def test_inputs_unchanged(name):
    """Does the function leave every argument, and everything inside it, exactly as it was?"""
    args = cases()[name]
    if name in OPTIMIZER_ARGUMENT:
        i = OPTIMIZER_ARGUMENT[name]
        others = args[:i] + args[i + 1:]
        saved = copy.deepcopy(others)
        getattr(R, name)(*args)
        assert_unchanged(saved, others, name + " argument")
    else:
        call_purely(getattr(R, name), *args)


@pytest.mark.parametrize("name", ["rnn_backward", "gru_backward", "lstm_backward", "birnn_backward",
                                  "deep_rnn_backward", "seq2seq_backward"])
def test_backward_twice_gives_the_same(name):
    """Does running a backward function twice on one cache give identical results (no state kept)?"""
    args = cases()[name]
    first, second = getattr(R, name)(*args), getattr(R, name)(*args)
    assert_unchanged(first, second, f"{name}'s second result")
