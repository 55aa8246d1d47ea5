"""Agreement of rnn_ref with PyTorch (float64, to 1e-10): values and gradients. Skipped without torch.

The gold models, with every weight copy and transpose spelled out, are in torch_gold.py.
"""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import rnn_ref as R  # noqa: E402
import torch_gold  # noqa: E402
from test_rnn_ref_helpers import (birnn_parameters, deep_parameters, flatten_grads, gru_parameters,  # noqa: E402
                                  lstm_parameters, one_hot, randn, rnn_parameters)

ATOL = 1e-10
# (n_x, n_a, n_y, m, T_x)
CASES = [pytest.param((3, 4, 5, 2, 6), id="n_x3-n_a4-n_y5-m2-T6"), pytest.param((1, 2, 2, 1, 1), id="m1-T1")]


def assert_agree(ours, gold, what):
    """Every entry of every array (nested dicts and lists flattened) within ATOL of torch's."""
    ours = flatten_grads(ours) if isinstance(ours, dict) else {what: ours}
    gold = flatten_grads(gold) if isinstance(gold, dict) else {what: gold}
    assert set(ours) == set(gold), f"{what}: keys {sorted(ours)} vs torch {sorted(gold)}"
    for key in ours:
        np.testing.assert_allclose(ours[key], gold[key], rtol=0, atol=ATOL, err_msg=f"{what}: {key} (ours, torch)")


@pytest.mark.parametrize("shape", CASES)
def test_rnn_matches_torch(shape):
    """Do rnn_forward and rnn_backward agree with torch.nn.RNN(tanh) and its autograd gradients?"""
    n_x, n_a, n_y, m, T_x = shape
    rng = np.random.default_rng(20)
    parameters = rnn_parameters(rng, n_x, n_a, n_y)
    x, a0, da = randn(rng, n_x, m, T_x), randn(rng, n_a, m), randn(rng, n_a, m, T_x)
    a, y_pred, caches = R.rnn_forward(x, a0, parameters)
    gold_a, gold_y, gold_grads = torch_gold.torch_rnn(x, a0, parameters, da)
    assert_agree(a, gold_a, "a")
    assert_agree(y_pred, gold_y, "y_pred")
    assert_agree(R.rnn_backward(da, caches), gold_grads, "rnn_backward")


@pytest.mark.parametrize("shape", CASES)
def test_lstm_matches_torch(shape):
    """Do lstm_forward and lstm_backward agree with torch.nn.LSTM (gates i, f, g, o = u, f, c, o)?"""
    n_x, n_a, n_y, m, T_x = shape
    rng = np.random.default_rng(21)
    parameters = lstm_parameters(rng, n_x, n_a, n_y)
    x, a0, da = randn(rng, n_x, m, T_x), randn(rng, n_a, m), randn(rng, n_a, m, T_x)
    a, y_pred, c, caches = R.lstm_forward(x, a0, parameters)
    gold_a, gold_y, gold_c_last, gold_grads = torch_gold.torch_lstm(x, a0, parameters, da)
    assert_agree(a, gold_a, "a")
    assert_agree(y_pred, gold_y, "y_pred")
    assert_agree(c[:, :, -1], gold_c_last, "c<T_x>")
    assert_agree(R.lstm_backward(da, caches), gold_grads, "lstm_backward")


@pytest.mark.parametrize("shape", CASES)
def test_gru_matches_torch_autograd(shape):
    """Do gru_forward and gru_backward agree with the CS 230 cheatsheet's GRU in torch ops, through autograd?"""
    n_x, n_a, n_y, m, T_x = shape
    rng = np.random.default_rng(22)
    parameters = gru_parameters(rng, n_x, n_a, n_y)
    x, a0, da = randn(rng, n_x, m, T_x), randn(rng, n_a, m), randn(rng, n_a, m, T_x)
    a, y_pred, caches = R.gru_forward(x, a0, parameters)
    gold_a, gold_y, gold_grads = torch_gold.torch_gru(x, a0, parameters, da)
    assert_agree(a, gold_a, "a")
    assert_agree(y_pred, gold_y, "y_pred")
    assert_agree(R.gru_backward(da, caches), gold_grads, "gru_backward")


@pytest.mark.parametrize("shape", CASES)
def test_birnn_matches_torch(shape):
    """Do birnn_forward and birnn_backward agree with torch.nn.RNN(bidirectional=True)?"""
    n_x, n_a, n_y, m, T_x = shape
    rng = np.random.default_rng(23)
    parameters = birnn_parameters(rng, n_x, n_a, n_y)
    x, a0_f, a0_b = randn(rng, n_x, m, T_x), randn(rng, n_a, m), randn(rng, n_a, m)
    da = randn(rng, 2 * n_a, m, T_x)
    a, y_pred, caches = R.birnn_forward(x, a0_f, a0_b, parameters)
    gold_a, gold_y, gold_grads = torch_gold.torch_birnn(x, a0_f, a0_b, parameters, da)
    assert_agree(a, gold_a, "a")
    assert_agree(y_pred, gold_y, "y_pred")
    assert_agree(R.birnn_backward(da, caches), gold_grads, "birnn_backward")


@pytest.mark.parametrize("shape", CASES)
def test_deep_rnn_matches_torch(shape):
    """Do deep_rnn_forward and deep_rnn_backward agree with torch.nn.RNN(num_layers=3)?"""
    n_x, n_a, n_y, m, T_x = shape
    rng = np.random.default_rng(24)
    parameters = deep_parameters(rng, n_x, [n_a] * 3, n_y)
    x, da = randn(rng, n_x, m, T_x), randn(rng, n_a, m, T_x)
    a0 = [randn(rng, n_a, m) for _ in range(3)]
    a, y_pred, caches = R.deep_rnn_forward(x, a0, parameters)
    gold_top, gold_last, gold_y, gold_grads = torch_gold.torch_deep_rnn(x, a0, parameters, da)
    assert_agree(a[-1], gold_top, "top layer's a")
    for l in range(3):
        assert_agree(a[l][:, :, -1], gold_last[l], f"layer {l}'s last state")
    assert_agree(y_pred, gold_y, "y_pred")
    assert_agree(R.deep_rnn_backward(da, caches), gold_grads, "deep_rnn_backward")


@pytest.mark.parametrize("weights", ["Wya", "Wy"])
@pytest.mark.parametrize("shape", CASES)
def test_loss_and_output_layer_match_torch(shape, weights):
    """Do sequence_cross_entropy, its backward and output_layer_backward agree with torch's cross_entropy?"""
    _, n_a, n_y, m, T = shape
    rng = np.random.default_rng(25)
    a, W, by = randn(rng, n_a, m, T), randn(rng, n_y, n_a, scale=2.0), randn(rng, n_y, 1)
    y = one_hot(rng, n_y, m, T)
    y_pred = R.softmax(np.einsum("ya,amt->ymt", W, a) + by[:, :, None])
    gold_loss, gold = torch_gold.torch_sequence_loss(a, y, W, by)

    assert R.sequence_cross_entropy(y_pred, y) == pytest.approx(gold_loss, rel=0, abs=ATOL)
    dz = R.sequence_cross_entropy_backward(y_pred, y)
    assert_agree(dz, gold["dz"], "dz")
    out = R.output_layer_backward(dz, a, {weights: W, "by": by})
    assert_agree(out, {"d" + weights: gold["dW"], "dby": gold["dby"], "da": gold["da"]}, "output_layer_backward")
