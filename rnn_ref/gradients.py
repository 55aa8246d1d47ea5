"""Gradient tools: clipping against exploding gradients, and the numerical gradient check.

`gradients` below is a flat dict of arrays, as returned by the backward functions, e.g.
{"dWax": ..., "dWaa": ..., "dba": ...}. Nested results (birnn_backward, deep_rnn_backward) are clipped one
sub-dict at a time.
"""
import numpy as np


def clip(gradients, max_value):
    """Clip every gradient element-wise to [-max_value, max_value].

    Inputs:
    - gradients: dict name -> array (any shapes)
    - max_value: positive float

    Returns:
    - a new dict with the same keys, holding new clipped arrays; `gradients` is left as it was

    Notes
    -----
    g_ij <- min(max(g_ij, -max_value), max_value). Each entry is capped on its own, so the direction of the
    whole gradient may change; clip_by_norm keeps it.
    """
    if not max_value > 0:
        raise ValueError(f"max_value must be positive, got {max_value!r}")
    return {name: np.clip(_as_array(name, g), -max_value, max_value) for name, g in gradients.items()}


def clip_by_norm(gradients, max_norm):
    """Scale all gradients together so that their global L2 norm is at most max_norm.

    Inputs:
    - gradients: dict name -> array (any shapes)
    - max_norm: positive float

    Returns:
    - a new dict with the same keys, holding new arrays (copies when the norm is already at most max_norm);
      `gradients` is left as it was

    Notes
    -----
    norm = sqrt(sum over every array g and every entry of g_ij^2), the norm of all gradients as one vector.
    If norm > max_norm, every g becomes g * max_norm / norm: the direction of the whole update is kept, only
    its length is capped.
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm!r}")
    arrays = {name: _as_array(name, g) for name, g in gradients.items()}
    norm = np.sqrt(sum(np.sum(g ** 2) for g in arrays.values()))
    scale = max_norm / norm if norm > max_norm else 1.0
    return {name: g * scale for name, g in arrays.items()}


def _as_array(name, g):
    """g as a float64 array, or a TypeError naming the key when g is a dict or list (a nested result)."""
    if isinstance(g, (dict, list, tuple)):
        raise TypeError(f"gradients[{name!r}] is a {type(g).__name__}, not an array: "
                        "pass a flat dict of arrays (clip nested results one sub-dict at a time)")
    return np.asarray(g, dtype=np.float64)


def numerical_gradient(f, x, h=1e-5):
    """Centred-difference estimate of the gradient of a scalar function f at x.

    Inputs:
    - f: function taking an array shaped like x and returning a scalar
    - x: array of any shape (left unchanged)
    - h: step size

    Returns:
    - grad: float64 array shaped like x

    Notes
    -----
    grad_i = (f(x + h e_i) - f(x - h e_i)) / (2 h), e_i the unit array at index i. The error is O(h^2), so in
    float64 with h = 1e-5 it agrees with a correct analytic gradient to a relative error of about 1e-9.
    f is evaluated on a float64 copy of x, moved one entry at a time and restored after each entry.
    """
    x = np.array(x, dtype=np.float64)  # a copy: the caller's x is never touched
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def rel_error(a, b):
    """Relative error ||a - b|| / (||a|| + ||b||) over whole arrays (Frobenius norms); 0.0 when both are 0.

    Inputs:
    - a, b: arrays of the same shape (or scalars); a ValueError if the shapes differ

    Returns:
    - float in [0, 1]: about 1e-9 or less for a correct gradient in float64, 1 when one of them is zero
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error compares arrays of one shape, got {a.shape} and {b.shape}")
    denominator = max(np.linalg.norm(a) + np.linalg.norm(b), np.finfo(np.float64).tiny)
    return float(np.linalg.norm(a - b) / denominator)


def gradient_check(f, x, analytic, h=1e-5):
    """rel_error between the numerical gradient of f at x and an analytic gradient (same shape as x)."""
    return rel_error(numerical_gradient(f, x, h), analytic)
