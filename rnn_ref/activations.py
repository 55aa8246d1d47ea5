"""Activation functions g(z) of the course and the derivatives g'(z) used by the backward passes.

Every function takes a scalar or an array `z` of any shape, returns a new float64 result of the same shape
(a NumPy scalar for a scalar input) and never changes `z`.
"""
import numpy as np


def sigmoid(z):
    """Logistic sigmoid, numerically safe: sigmoid(-1000.0) == 0.0 and sigmoid(1000.0) == 1.0, no warning.

    Inputs:
    - z: scalar or array of any shape

    Returns:
    - s: float64 of the same shape as z, every entry in [0, 1]

    Notes
    -----
    sigma(z) = 1 / (1 + exp(-z)), computed as written. For z < -709, exp(-z) overflows to inf; here that inf
    is harmless, because it never leaves this one expression: 1 + inf = inf and 1 / inf = 0.0, the right
    limit. So the overflow is silenced rather than avoided (chapter 4 asks learners to avoid it, with
    exp(-|z|), which is as accurate and twice as slow; the gated networks call this at every step). For large
    positive z, exp(-z) underflows to 0.0 (also silenced) and s = 1.0. Every operation keeps its relative
    accuracy, even for the tiny values of very negative z: exp(-z), 1 + exp(-z) and the division are each
    correct to a rounding.
    """
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(over="ignore", under="ignore"):
        s = 1.0 / (1.0 + np.exp(-z))
    return s[()]  # a 0-d array becomes a NumPy scalar; arrays are returned as they are


def sigmoid_derivative(z):
    """Derivative of the sigmoid with respect to z: sigma'(z) = sigma(z) * (1 - sigma(z)). Same shape as z."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """Hyperbolic tangent g(z) = (e^z - e^-z) / (e^z + e^-z), entries in [-1, 1]. Same shape as z."""
    return np.tanh(np.asarray(z, dtype=np.float64))[()]


def tanh_derivative(z):
    """Derivative of tanh with respect to z: tanh'(z) = 1 - tanh(z)^2. Same shape as z."""
    t = tanh(z)
    return 1.0 - t ** 2


def relu(z):
    """Rectified linear unit g(z) = max(0, z). Same shape as z."""
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)[()]


def relu_derivative(z):
    """Derivative of relu with respect to z: 1 where z > 0, else 0 (we take relu'(0) = 0). Same shape as z."""
    return (np.asarray(z, dtype=np.float64) > 0).astype(np.float64)[()]


def softmax(z):
    """Softmax over axis 0: every column (every example, every time step) becomes a probability vector.

    Inputs:
    - z: array of shape (n_y, ...), e.g. (n_y, m) for one step or (n_y, m, T) for a sequence

    Returns:
    - p: float64 array of the same shape; p >= 0 and p.sum(axis=0) == 1

    Notes
    -----
    softmax(z)_k = exp(z_k) / sum_j exp(z_j). Subtracting the column maximum first changes nothing
    mathematically and keeps exp from overflowing: the largest exponent is exp(0) = 1.
    """
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(under="ignore"):
        e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)
