"""Shared helpers of the rnn_ref tests (random cases, the gradient checker, the purity check), and tests that
prove the checkers themselves catch mistakes.

The other test_rnn_ref_*.py files import from here (pytest puts tests/ on sys.path).
"""
import copy

import numpy as np
import pytest

import rnn_ref as R

TOLERANCE = 1e-7  # relative error allowed between analytic and numerical gradients (float64, h = 1e-5)

# (n_x, n_a, n_y, m, T_x): a general case, the smallest one, and a single example.
SHAPES = [
    pytest.param((3, 5, 4, 3, 4), id="n_x3-n_a5-n_y4-m3-T4"),
    pytest.param((1, 1, 1, 1, 1), id="all-ones"),
    pytest.param((2, 3, 2, 1, 2), id="m1-T2"),
]


# ---------------------------------------------------------------- random cases

def randn(rng, *shape, scale=0.5):
    """Gaussian float64 array; scale 0.5 keeps tanh and the gates away from saturation."""
    return scale * rng.standard_normal(shape)


def rnn_parameters(rng, n_x, n_a, n_y):
    return {"Wax": randn(rng, n_a, n_x), "Waa": randn(rng, n_a, n_a), "Wya": randn(rng, n_y, n_a),
            "ba": randn(rng, n_a, 1), "by": randn(rng, n_y, 1)}


def vanilla_layer(rng, n_in, n_a):
    """A hidden layer without outputs (for the variants): Wax, Waa, ba."""
    return {"Wax": randn(rng, n_a, n_in), "Waa": randn(rng, n_a, n_a), "ba": randn(rng, n_a, 1)}


def gated_parameters(rng, gates, n_x, n_a, n_y):
    """W<g> (n_a, n_a + n_x) and b<g> (n_a, 1) for each gate letter g, plus Wy, by."""
    parameters = {"Wy": randn(rng, n_y, n_a), "by": randn(rng, n_y, 1)}
    for g in gates:
        parameters["W" + g] = randn(rng, n_a, n_a + n_x)
        parameters["b" + g] = randn(rng, n_a, 1)
    return parameters


def gru_parameters(rng, n_x, n_a, n_y):
    return gated_parameters(rng, "urc", n_x, n_a, n_y)


def lstm_parameters(rng, n_x, n_a, n_y):
    return gated_parameters(rng, "fuco", n_x, n_a, n_y)


def birnn_parameters(rng, n_x, n_a, n_y):
    return {"forward": vanilla_layer(rng, n_x, n_a), "backward": vanilla_layer(rng, n_x, n_a),
            "Wy": randn(rng, n_y, 2 * n_a), "by": randn(rng, n_y, 1)}


def deep_parameters(rng, n_x, sizes, n_y):
    """Layers of n_a = sizes[0], sizes[1], ...; layer l reads layer l-1 (layer 0 reads x)."""
    inputs = [n_x] + list(sizes[:-1])
    return {"layers": [vanilla_layer(rng, n_in, n_a) for n_in, n_a in zip(inputs, sizes)],
            "Wy": randn(rng, n_y, sizes[-1]), "by": randn(rng, n_y, 1)}


def one_hot(rng, n_y, m, T):
    """Random one-hot targets (n_y, m, T)."""
    return np.eye(n_y)[:, rng.integers(0, n_y, size=(m, T))]


# ---------------------------------------------------------------- checkers

def side_by_side(name, numerical, analytic):
    """The two gradients in adjacent columns, entry by entry, for a failure message."""
    lines = [f"{'index':>14}  {'numerical':>20}  {'analytic':>20}  {'difference':>10}   ({name})"]
    for index in np.ndindex(numerical.shape):
        n, a = numerical[index], analytic[index]
        lines.append(f"{str(index):>14}  {n:20.12e}  {a:20.12e}  {n - a:10.2e}")
    return "\n".join(lines)


def flatten_grads(grads, prefix=""):
    """Gradient dict -> {input name: array}: 'dWax' -> 'Wax', {'forward': {'dWax'}} -> 'forward.Wax',
    {'da0': [A, B]} -> 'a0.0', 'a0.1', {'layers': [{'dWax'}]} -> 'layers.0.Wax'."""
    flat = {}
    for key, value in grads.items():
        if isinstance(value, dict):
            flat.update(flatten_grads(value, f"{prefix}{key}."))
        elif isinstance(value, list) and isinstance(value[0], dict):
            for i, item in enumerate(value):
                flat.update(flatten_grads(item, f"{prefix}{key}.{i}."))
        else:
            assert key.startswith("d"), f"gradient key {key!r} should start with 'd'"
            if isinstance(value, list):
                flat.update({f"{prefix}{key[1:]}.{i}": item for i, item in enumerate(value)})
            else:
                flat[prefix + key[1:]] = value
    return flat


def check_gradients(loss, inputs, grads):
    """Assert that `grads` holds exactly one gradient per input and that each matches centred differences.

    loss: function of a dict {name: array} returning a scalar; inputs: that dict at the point of the check;
    grads: what the backward function returned (keys 'd' + name, possibly nested, see flatten_grads).
    """
    flat = flatten_grads(grads)
    assert set(flat) == set(inputs), f"gradients for {sorted(flat)}, inputs {sorted(inputs)}"
    for name, value in inputs.items():
        analytic = flat[name]
        assert np.shape(analytic) == value.shape, f"d{name} has shape {np.shape(analytic)}, not {value.shape}"
        numerical = R.numerical_gradient(lambda v: loss({**inputs, name: v}), value)
        error = R.rel_error(numerical, analytic)
        assert error < TOLERANCE, f"d{name}: relative error {error:.2e}\n" + side_by_side(name, numerical, analytic)


def assert_unchanged(before, after, where="input"):
    """Assert two nested structures (dicts, lists, tuples, arrays, scalars) are equal, arrays bit for bit."""
    if isinstance(before, dict):
        assert before.keys() == after.keys(), f"{where}: keys changed"
        for key in before:
            assert_unchanged(before[key], after[key], f"{where}[{key!r}]")
    elif isinstance(before, (list, tuple)):
        assert len(before) == len(after), f"{where}: length changed"
        for i, (b, a) in enumerate(zip(before, after)):
            assert_unchanged(b, a, f"{where}[{i}]")
    elif isinstance(before, np.ndarray):
        assert after.dtype == before.dtype and np.array_equal(before, after), f"{where} was modified in place"
    else:
        assert before is after or before == after, f"{where} changed"


def call_purely(function, *args):
    """Call function(*args) and assert that no argument (nor anything inside it) was modified."""
    saved = copy.deepcopy(args)
    result = function(*args)
    assert_unchanged(saved, args, function.__name__ + " argument")
    return result


# ---------------------------------------------------------------- the checkers have teeth

def test_check_gradients_rejects_a_wrong_gradient():
    """Does check_gradients fail, with the arrays side by side, on a gradient that is slightly off?"""
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    with pytest.raises(AssertionError, match="numerical"):
        check_gradients(lambda p: np.sum(p["x"] ** 3), {"x": x}, {"dx": 3 * x ** 2 * 1.001})
    check_gradients(lambda p: np.sum(p["x"] ** 3), {"x": x}, {"dx": 3 * x ** 2})


def test_check_gradients_rejects_missing_or_extra_keys():
    """Does check_gradients insist on exactly one gradient per input?"""
    x = np.ones((2, 1))
    with pytest.raises(AssertionError, match="gradients for"):
        check_gradients(lambda p: np.sum(p["x"]), {"x": x}, {"dx": x, "dy": x})


def test_flatten_grads_names_nested_gradients_after_inputs():
    """Do nested gradient dicts map to dotted input names?"""
    g = {"dx": 1, "da0": [2, 3], "forward": {"dWax": 4}, "layers": [{"dba": 5}]}
    assert flatten_grads(g) == {"x": 1, "a0.0": 2, "a0.1": 3, "forward.Wax": 4, "layers.0.ba": 5}


def test_call_purely_catches_in_place_changes():
    """Does call_purely notice a function that writes into a nested argument?"""
    def sneaky(parameters):
        parameters["W"] += 1.0

    with pytest.raises(AssertionError, match="modified in place"):
        call_purely(sneaky, {"W": np.zeros(2)})
