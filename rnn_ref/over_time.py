"""Products over all the time steps at once, for the parts of a sequence that need no loop over time.

A sequence is an array (n, m, T): n features, m examples side by side, T time steps. Only the recurrence
(a<t> from a<t-1>, and backwards da_prev from step t+1) has to go step by step. The output layer reads each
a<t> on its own, and the gradient of a shared weight is a sum over the steps: with the steps side by side,
(n, m T) by (m T, k), each is one matrix product, the same sum in one call instead of T calls and T - 1
additions.

Inside a loop over time the steps are separate arrays (n, m): `steps` gives them, contiguous, and `sequence`
puts them back into an (n, m, T) array. (Slicing x[:, :, t] out of an (n, m, T) array at every step reads
memory T entries apart, which is slow; one copy before the loop is cheaper.) The backward passes put what each
step gives the weights' gradients `side_by_side`, as an (n, T m) array with step t in columns t m to
(t+1) m - 1: the sum over t of dz<t> v<t>^T is then one product, dz @ v.T.
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


def steps(x):
    """The steps of a sequence (n, m, T) as T separate, contiguous arrays (n, m): step t is steps(x)[t]."""
    return list(np.ascontiguousarray(x.transpose(2, 0, 1)))


def sequence(step_arrays):
    """The T arrays (n, m) of a loop over time as one sequence (n, m, T)."""
    return np.stack(step_arrays, axis=2)


def side_by_side(step_arrays):
    """The T arrays (n, m) of a loop over time side by side, (n, T m): step t in columns t m to (t+1) m - 1."""
    return np.concatenate(step_arrays, axis=1)


def from_side_by_side(array, T):
    """An (n, T m) array of steps side by side (step t in columns t m to (t+1) m - 1) as a sequence (n, m, T)."""
    n = array.shape[0]
    return np.ascontiguousarray(array.reshape(n, T, -1).transpose(0, 2, 1))
