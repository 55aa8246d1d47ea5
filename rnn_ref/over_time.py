"""Products over all the time steps at once, for the parts of a sequence that need no loop over time.

A sequence is an array (n, m, T): n features, m examples side by side, T time steps. Only the recurrence
(a<t> from a<t-1>, and backwards da_prev from step t+1) has to go step by step. The output layer reads each
a<t> on its own, and the gradient of a shared weight is a sum over the steps: with the steps side by side,
(n, m T) by (m T, k), each is one matrix product, the same sum in one call instead of T calls and T - 1
additions.
"""
import numpy as np

from .activations import softmax


def at_every_step(W, a):
    """W a<t> for every step t, one matrix product: W (k, n) and a (n, m, T) -> (k, m, T)."""
    return np.tensordot(W, a, axes=1)


def sum_over_steps(dz, inputs):
    """The sum over t of dz<t> inputs<t>^T, one matrix product: dz (n, m, T), inputs (k, m, T) -> (n, k)."""
    return np.tensordot(dz, inputs, axes=([1, 2], [1, 2]))


def softmax_outputs(a, W, by):
    """The output layer y_hat<t> = softmax(W a<t> + by) at every step: a (n_a, m, T) -> (n_y, m, T)."""
    return softmax(at_every_step(W, a) + by[:, :, np.newaxis])
