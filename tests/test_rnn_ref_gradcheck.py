"""Numerical gradient checks of every backward function of rnn_ref (float64, relative error below 1e-7).

Each check builds a scalar loss = sum(upstream * outputs) from random seeded inputs, runs the backward
function with that upstream gradient, and compares every returned gradient with centred differences.
"""
import numpy as np
import pytest

import rnn_ref as R
from test_rnn_ref_helpers import (SHAPES, birnn_parameters, check_gradients, deep_parameters, gru_parameters,
                                  lstm_parameters, one_hot, randn, rnn_parameters)

WEIGHTS = {"rnn": ["Wax", "Waa", "ba"], "gru": ["Wu", "bu", "Wr", "br", "Wc", "bc"],
           "lstm": ["Wf", "bf", "Wu", "bu", "Wc", "bc", "Wo", "bo"]}


@pytest.mark.parametrize("shape", SHAPES)
def test_rnn_cell_backward(shape):
    """Does rnn_cell_backward give dxt, da_prev, dWax, dWaa, dba of sum(da_next * a_next)?"""
    n_x, n_a, n_y, m, _ = shape
    rng = np.random.default_rng(1)
    parameters = rnn_parameters(rng, n_x, n_a, n_y)
    inputs = {"xt": randn(rng, n_x, m), "a_prev": randn(rng, n_a, m),
              **{k: parameters[k] for k in WEIGHTS["rnn"]}}
    da_next = randn(rng, n_a, m, scale=1.0)

    def loss(p):
        a_next, _, _ = R.rnn_cell_forward(p["xt"], p["a_prev"], {**parameters, **p})
        return np.sum(da_next * a_next)

    _, _, cache = R.rnn_cell_forward(inputs["xt"], inputs["a_prev"], parameters)
    check_gradients(loss, inputs, R.rnn_cell_backward(da_next, cache))


@pytest.mark.parametrize("shape", SHAPES)
def test_rnn_backward(shape):
    """Does rnn_backward (BPTT) give dx, da0, dWax, dWaa, dba of sum(da * a) over the whole sequence?"""
    n_x, n_a, n_y, m, T_x = shape
    rng = np.random.default_rng(2)
    parameters = rnn_parameters(rng, n_x, n_a, n_y)
    inputs = {"x": randn(rng, n_x, m, T_x), "a0": randn(rng, n_a, m), **{k: parameters[k] for k in WEIGHTS["rnn"]}}
    da = randn(rng, n_a, m, T_x, scale=1.0)

    def loss(p):
        return np.sum(da * R.rnn_forward(p["x"], p["a0"], {**parameters, **p})[0])

    _, _, caches = R.rnn_forward(inputs["x"], inputs["a0"], parameters)
    check_gradients(loss, inputs, R.rnn_backward(da, caches))


@pytest.mark.parametrize("shape", SHAPES)
def test_gru_cell_backward(shape):
    """Does gru_cell_backward give dxt, da_prev and every gate's dW, db of sum(da_next * a_next)?"""
    n_x, n_a, n_y, m, _ = shape
    rng = np.random.default_rng(3)
    parameters = gru_parameters(rng, n_x, n_a, n_y)
    inputs = {"xt": randn(rng, n_x, m), "a_prev": randn(rng, n_a, m), **{k: parameters[k] for k in WEIGHTS["gru"]}}
    da_next = randn(rng, n_a, m, scale=1.0)

    def loss(p):
        return np.sum(da_next * R.gru_cell_forward(p["xt"], p["a_prev"], {**parameters, **p})[0])

    _, _, cache = R.gru_cell_forward(inputs["xt"], inputs["a_prev"], parameters)
    check_gradients(loss, inputs, R.gru_cell_backward(da_next, cache))


@pytest.mark.parametrize("shape", SHAPES)
def test_gru_backward(shape):
    """Does gru_backward give dx, da0 and every gate's dW, db of sum(da * a) over the whole sequence?"""
    n_x, n_a, n_y, m, T_x = shape
    rng = np.random.default_rng(4)
    parameters = gru_parameters(rng, n_x, n_a, n_y)
    inputs = {"x": randn(rng, n_x, m, T_x), "a0": randn(rng, n_a, m), **{k: parameters[k] for k in WEIGHTS["gru"]}}
    da = randn(rng, n_a, m, T_x, scale=1.0)

    def loss(p):
        return np.sum(da * R.gru_forward(p["x"], p["a0"], {**parameters, **p})[0])

    _, _, caches = R.gru_forward(inputs["x"], inputs["a0"], parameters)
    check_gradients(loss, inputs, R.gru_backward(da, caches))


@pytest.mark.parametrize("shape", SHAPES)
def test_lstm_cell_backward(shape):
    """Does lstm_cell_backward give dxt, da_prev, dc_prev, every dW, db of sum(da_next a_next + dc_next c_next)?"""
    n_x, n_a, n_y, m, _ = shape
    rng = np.random.default_rng(5)
    parameters = lstm_parameters(rng, n_x, n_a, n_y)
    inputs = {"xt": randn(rng, n_x, m), "a_prev": randn(rng, n_a, m), "c_prev": randn(rng, n_a, m),
              **{k: parameters[k] for k in WEIGHTS["lstm"]}}
    da_next, dc_next = randn(rng, n_a, m, scale=1.0), randn(rng, n_a, m, scale=1.0)

    def loss(p):
        a_next, c_next, _, _ = R.lstm_cell_forward(p["xt"], p["a_prev"], p["c_prev"], {**parameters, **p})
        return np.sum(da_next * a_next) + np.sum(dc_next * c_next)

    _, _, _, cache = R.lstm_cell_forward(inputs["xt"], inputs["a_prev"], inputs["c_prev"], parameters)
    check_gradients(loss, inputs, R.lstm_cell_backward(da_next, dc_next, cache))


@pytest.mark.parametrize("shape", SHAPES)
def test_lstm_backward(shape):
    """Does lstm_backward give dx, da0 and every gate's dW, db of sum(da * a), c carried through time?"""
    n_x, n_a, n_y, m, T_x = shape
    rng = np.random.default_rng(6)
    parameters = lstm_parameters(rng, n_x, n_a, n_y)
    inputs = {"x": randn(rng, n_x, m, T_x), "a0": randn(rng, n_a, m), **{k: parameters[k] for k in WEIGHTS["lstm"]}}
    da = randn(rng, n_a, m, T_x, scale=1.0)

    def loss(p):
        return np.sum(da * R.lstm_forward(p["x"], p["a0"], {**parameters, **p})[0])

    _, _, _, caches = R.lstm_forward(inputs["x"], inputs["a0"], parameters)
    check_gradients(loss, inputs, R.lstm_backward(da, caches))


@pytest.mark.parametrize("shape", SHAPES)
def test_birnn_backward(shape):
    """Does birnn_backward give dx, da0_f, da0_b and both directions' dWax, dWaa, dba of sum(da * a)?"""
    n_x, n_a, n_y, m, T_x = shape
    rng = np.random.default_rng(7)
    parameters = birnn_parameters(rng, n_x, n_a, n_y)
    inputs = {"x": randn(rng, n_x, m, T_x), "a0_f": randn(rng, n_a, m), "a0_b": randn(rng, n_a, m)}
    for direction in ("forward", "backward"):
        inputs.update({f"{direction}.{k}": parameters[direction][k] for k in WEIGHTS["rnn"]})
    da = randn(rng, 2 * n_a, m, T_x, scale=1.0)

    def loss(p):
        nested = {**parameters, **{d: {k: p[f"{d}.{k}"] for k in WEIGHTS["rnn"]} for d in ("forward", "backward")}}
        return np.sum(da * R.birnn_forward(p["x"], p["a0_f"], p["a0_b"], nested)[0])

    _, _, caches = R.birnn_forward(inputs["x"], inputs["a0_f"], inputs["a0_b"], parameters)
    check_gradients(loss, inputs, R.birnn_backward(da, caches))


@pytest.mark.parametrize("sizes", [[4, 3, 2], [1], [2, 2]], ids=["three-layers", "one-layer", "two-layers"])
def test_deep_rnn_backward(sizes):
    """Does deep_rnn_backward give dx, every layer's da0 and dWax, dWaa, dba of sum(da * top states)?"""
    n_x, n_y, m, T_x = 3, 2, 2, 3
    rng = np.random.default_rng(8)
    parameters = deep_parameters(rng, n_x, sizes, n_y)
    inputs = {"x": randn(rng, n_x, m, T_x)}
    for l, n_a in enumerate(sizes):
        inputs[f"a0.{l}"] = randn(rng, n_a, m)
        inputs.update({f"layers.{l}.{k}": parameters["layers"][l][k] for k in WEIGHTS["rnn"]})
    da = randn(rng, sizes[-1], m, T_x, scale=1.0)

    def loss(p):
        layers = [{k: p[f"layers.{l}.{k}"] for k in WEIGHTS["rnn"]} for l in range(len(sizes))]
        a0 = [p[f"a0.{l}"] for l in range(len(sizes))]
        return np.sum(da * R.deep_rnn_forward(p["x"], a0, {**parameters, "layers": layers})[0][-1])

    a0 = [inputs[f"a0.{l}"] for l in range(len(sizes))]
    _, _, caches = R.deep_rnn_forward(inputs["x"], a0, parameters)
    check_gradients(loss, inputs, R.deep_rnn_backward(da, caches))


@pytest.mark.parametrize("shape", SHAPES)
def test_sequence_cross_entropy_backward(shape):
    """Is sequence_cross_entropy_backward the gradient of sequence_cross_entropy(softmax(z), y) in z?"""
    _, _, n_y, m, T = shape
    rng = np.random.default_rng(9)
    z, y = randn(rng, n_y, m, T, scale=2.0), one_hot(rng, n_y, m, T)

    def loss(p):
        return R.sequence_cross_entropy(R.softmax(p["z"]), y)

    check_gradients(loss, {"z": z}, {"dz": R.sequence_cross_entropy_backward(R.softmax(z), y)})


@pytest.mark.parametrize("weights", ["Wya", "Wy"])
@pytest.mark.parametrize("shape", SHAPES)
def test_output_layer_backward(shape, weights):
    """Does output_layer_backward give dW, dby, da of sum(dz * (W a<t> + by)), for weights named Wya or Wy?"""
    _, n_a, n_y, m, T = shape
    rng = np.random.default_rng(10)
    inputs = {"a": randn(rng, n_a, m, T), weights: randn(rng, n_y, n_a), "by": randn(rng, n_y, 1)}
    dz = randn(rng, n_y, m, T, scale=1.0)

    def loss(p):
        z = np.einsum("ya,amt->ymt", p[weights], p["a"]) + p["by"][:, :, None]
        return np.sum(dz * z)

    check_gradients(loss, inputs, R.output_layer_backward(dz, inputs["a"], inputs))


@pytest.mark.parametrize("model", ["rnn", "gru", "lstm"])
def test_whole_training_step(model):
    """Does the chain loss -> output layer -> BPTT give the gradient of the cross-entropy in every parameter?"""
    n_x, n_a, n_y, m, T_x = 3, 4, 3, 2, 3
    rng = np.random.default_rng(11)
    builders = {"rnn": rnn_parameters, "gru": gru_parameters, "lstm": lstm_parameters}
    parameters = builders[model](rng, n_x, n_a, n_y)
    inputs = {"x": randn(rng, n_x, m, T_x), "a0": randn(rng, n_a, m), **parameters}
    y = one_hot(rng, n_y, m, T_x)
    forward = {"rnn": R.rnn_forward, "gru": R.gru_forward, "lstm": R.lstm_forward}[model]
    backward = {"rnn": R.rnn_backward, "gru": R.gru_backward, "lstm": R.lstm_backward}[model]

    def loss(p):
        return R.sequence_cross_entropy(forward(p["x"], p["a0"], p)[1], y)

    results = forward(inputs["x"], inputs["a0"], inputs)
    a, y_pred, caches = results[0], results[1], results[-1]
    dz = R.sequence_cross_entropy_backward(y_pred, y)
    output_grads = R.output_layer_backward(dz, a, inputs)
    grads = {**backward(output_grads.pop("da"), caches), **output_grads}
    check_gradients(loss, inputs, grads)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_activation_derivatives(name):
    """Is each *_derivative the derivative of its activation (away from relu's kink at 0)?"""
    rng = np.random.default_rng(12)
    z = rng.uniform(0.1, 3.0, size=(3, 4)) * rng.choice([-1.0, 1.0], size=(3, 4))
    w = randn(rng, 3, 4, scale=1.0)
    g, g_prime = getattr(R, name), getattr(R, name + "_derivative")
    check_gradients(lambda p: np.sum(w * g(p["z"])), {"z": z}, {"dz": w * g_prime(z)})
