"""Activation functions g(z) of the course and the derivatives g'(z) used by the backward passes.

Every function takes a scalar or an array `z` of any shape, returns a new float64 result of the same shape
(a NumPy scalar for a scalar input) and never changes `z`.
"""
import numpy as np


def sigmoid(z):
    """Logistic sigmoid, numerically stable: sigmoid(-1000.0) == 0.0 and sigmoid(1000.0) == 1.0, no warning.

    Inputs:
    - z: scalar or array of any shape

    Returns:
    - s: float64 of the same shape as z, every entry in [0, 1]

    Notes
    -----
    sigma(z) = 1 / (1 + exp(-z)). The textbook formula overflows in exp(-z) for large negative z, so the code
    uses e = exp(-|z|), which lies in (0, 1]:

        sigma(z) = 1 / (1 + e)  when z >= 0,
        sigma(z) = e / (1 + e)  when z < 0.

    Both cases are one expression, exp(min(z, 0)) / (1 + e): the numerator is exp(0) = 1 when z >= 0 and
    exp(z) = e when z < 0. No exponent is ever positive, so nothing overflows. (It is also faster than
    choosing between the two cases with np.where.) For |z| > ~745, e underflows to 0.0, which is the right
    limit; that underflow is silenced.
    """
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(under="ignore"):
        s = np.exp(np.minimum(z, 0.0)) / (1.0 + np.exp(-np.abs(z)))
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
