"""The gradient tools of rnn_ref: clip, clip_by_norm, numerical_gradient, rel_error, gradient_check."""
import copy

import numpy as np
import pytest

import rnn_ref as R
from test_rnn_ref_helpers import assert_unchanged


def gradients_example():
    """Global norm sqrt(3^2 + 4^2 + 12^2) = 13."""
    return {"dWax": np.array([[3.0, 0.0], [0.0, -4.0]]), "dba": np.array([[12.0]])}


def test_clip_values():
    """Does clip cap every entry to [-max_value, max_value] and leave smaller entries alone?"""
    gradients = {"dWaa": np.array([[-10.0, 0.5], [3.0, -0.2]]), "dba": np.array([[7.0]]), "dx": np.array([[-5.0]])}
    clipped = R.clip(gradients, 5.0)
    assert set(clipped) == set(gradients)
    np.testing.assert_array_equal(clipped["dWaa"], [[-5.0, 0.5], [3.0, -0.2]])
    np.testing.assert_array_equal(clipped["dba"], [[5.0]])
    np.testing.assert_array_equal(clipped["dx"], [[-5.0]])


def test_clip_returns_new_dict_and_arrays():
    """Does clip return a new dict of new arrays, and leave its input unchanged?"""
    gradients = gradients_example()
    saved = copy.deepcopy(gradients)
    clipped = R.clip(gradients, 100.0)
    assert clipped is not gradients
    for key in gradients:
        assert not np.shares_memory(clipped[key], gradients[key]), key
        np.testing.assert_array_equal(clipped[key], gradients[key])
    assert_unchanged(saved, gradients)


def test_clip_by_norm_values_and_direction():
    """Does clip_by_norm scale everything by max_norm / norm (13 -> 1 here), keeping the direction?"""
    gradients = gradients_example()
    clipped = R.clip_by_norm(gradients, 1.0)
    np.testing.assert_allclose(clipped["dWax"], [[3 / 13, 0.0], [0.0, -4 / 13]], rtol=1e-15)
    np.testing.assert_allclose(clipped["dba"], [[12 / 13]], rtol=1e-15)
    norm = np.sqrt(sum(np.sum(g ** 2) for g in clipped.values()))
    assert norm == pytest.approx(1.0, rel=1e-15)
    before = np.concatenate([g.ravel() for g in gradients.values()])
    after = np.concatenate([g.ravel() for g in clipped.values()])
    cosine = before @ after / (np.linalg.norm(before) * np.linalg.norm(after))
    assert cosine == pytest.approx(1.0, rel=1e-15)


def test_clip_by_norm_unchanged_below():
    """Below (or at) max_norm, does clip_by_norm return equal copies, not the same arrays?"""
    gradients = gradients_example()
    saved = copy.deepcopy(gradients)
    for max_norm in (13.0, 20.0):
        clipped = R.clip_by_norm(gradients, max_norm)
        assert clipped is not gradients
        for key in gradients:
            np.testing.assert_array_equal(clipped[key], gradients[key])
            assert not np.shares_memory(clipped[key], gradients[key]), key
    assert_unchanged(saved, gradients)


def test_clip_by_norm_zero_gradients():
    """Do all-zero gradients (norm 0) come back as zeros, without a division warning?"""
    with np.errstate(all="raise"):
        clipped = R.clip_by_norm({"dW": np.zeros((2, 2))}, 1.0)
    np.testing.assert_array_equal(clipped["dW"], np.zeros((2, 2)))


@pytest.mark.parametrize("bound", [0.0, -1.0])
def test_clip_refuses_non_positive_bounds(bound):
    """Is a max_value or max_norm that is not positive refused with a ValueError that names it?"""
    with pytest.raises(ValueError, match="max_value must be positive"):
        R.clip(gradients_example(), bound)
    with pytest.raises(ValueError, match="max_norm must be positive"):
        R.clip_by_norm(gradients_example(), bound)


def test_clip_refuses_nested_dicts():
    """Is a nested gradient dict (e.g. from birnn_backward) refused with a TypeError naming the key?"""
    nested = {"dx": np.ones(2), "forward": {"dWax": np.ones(2)}}
    for clip in (R.clip, R.clip_by_norm):
        with pytest.raises(TypeError, match="'forward'"):
            clip(nested, 1.0)


def test_numerical_gradient_of_known_function():
    """Is the numerical gradient of sum(x^3) equal to 3 x^2 (to 1e-9), x left unchanged?"""
    x = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.5]])
    saved = x.copy()
    grad = R.numerical_gradient(lambda v: np.sum(v ** 3), x)
    assert grad.shape == x.shape and grad.dtype == np.float64
    np.testing.assert_allclose(grad, 3 * x ** 2, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(x, saved)


def test_numerical_gradient_works_on_a_copy():
    """Does f see the perturbed copy while the caller's x stays put (f may read x itself, e.g. in a closure)?"""
    x = np.array([1.0, -2.0, 3.0])
    # f(v) = sum(v * x) has gradient x; it would come out as 2 x if v were x itself, moved in place
    np.testing.assert_allclose(R.numerical_gradient(lambda v: np.sum(v * x), x), x, rtol=1e-9)


def test_numerical_gradient_integer_input():
    """Does an integer x work (on a float copy), with f seeing x +- h, not x rounded?"""
    x = np.array([1, 2, 3])
    np.testing.assert_allclose(R.numerical_gradient(lambda v: np.sum(v ** 2), x), [2.0, 4.0, 6.0], rtol=1e-9)
    assert x.dtype.kind == "i"


def test_rel_error_values():
    """Are rel_error(a, a) = 0, rel_error(0, 0) = 0, rel_error(a, 0) = 1 and rel_error([3], [1]) = 2/4?"""
    a = np.array([[1.0, -2.0]])
    assert R.rel_error(a, a) == 0.0
    assert R.rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert R.rel_error(a, np.zeros_like(a)) == 1.0
    assert R.rel_error(np.array([3.0]), np.array([1.0])) == 0.5
    assert isinstance(R.rel_error(a, a), float)


def test_rel_error_refuses_shape_mismatch():
    """Are arrays of different shapes refused instead of broadcast?"""
    with pytest.raises(ValueError, match="shape"):
        R.rel_error(np.ones((2, 1)), np.ones((1, 2)))


def test_gradient_check():
    """Does gradient_check give about 0 for a right gradient and a large error for a wrong one?"""
    x = np.array([0.3, -1.2, 2.0])
    f = lambda v: np.sum(np.sin(v))  # noqa: E731
    assert R.gradient_check(f, x, np.cos(x)) < 1e-9
    assert R.gradient_check(f, x, -np.cos(x)) == pytest.approx(1.0)
