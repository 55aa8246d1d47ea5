"""Gates and the small memory cell they control (chapter ch06_gates).

A gate is a vector of numbers in (0, 1), computed from the current input and the previous hidden state, that
multiplies another vector element by element: near 1 it lets a component through, near 0 it blocks it.

Here a gate keeps its two weights apart, as in the general form Gamma = sigma(W x<t> + U a<t-1> + b).
The GRU and the LSTM (gru.py, lstm.py) write the two products as one weight acting on the stacked column
[a_prev; xt], hidden state first: W_gate = np.hstack([U, W]) has shape (n_a, n_a + n_x) and
W_gate @ np.vstack([a_prev, xt]) == U @ a_prev + W @ xt.

Dimension letters: n_x input features, n_a hidden units (and gate units), n memory units, m examples side by
side, T time steps.
"""
import numpy as np

from .activations import sigmoid

__all__ = ["gate_forward", "memory_cell_step", "memory_cell_forward"]


def gate_forward(xt, a_prev, W, U, b):
    """The value of one gate at one time step.

    Inputs:
    - xt: input at this step, (n_x, m)
    - a_prev: previous hidden state, (n_a, m)
    - W: the gate's input weight, (n_a, n_x)
    - U: the gate's hidden-state weight, (n_a, n_a)
    - b: the gate's bias, (n_a, 1)

    Returns:
    - Gamma: (n_a, m), every entry in [0, 1] (strictly inside unless the sigmoid saturates in float64)

    Notes
    -----
    Gamma = sigmoid(W @ xt + U @ a_prev + b), with the stable sigmoid of rnn_ref.activations.
    The same value is sigmoid(np.hstack([U, W]) @ np.vstack([a_prev, xt]) + b), the stacked form.
    """
    return sigmoid(W @ xt + U @ a_prev + b)


def memory_cell_step(c_prev, c_tilde, Gamma_u, Gamma_f):
    """One step of a memory cell that an update gate writes to and a forget gate erases.

    Inputs:
    - c_prev: content before this step, (n, m)
    - c_tilde: candidate value offered for writing, (n, m)
    - Gamma_u: update (write) gate, (n, m)
    - Gamma_f: forget (keep) gate, (n, m)

    Returns:
    - c_next: content after this step, (n, m)

    Notes
    -----
    c_next = Gamma_u * c_tilde + Gamma_f * c_prev, element by element (the LSTM's cell update).
    Gamma_f = 1, Gamma_u = 0 keeps the content; Gamma_f = 0, Gamma_u = 0 erases it; Gamma_f = 0,
    Gamma_u = 1 overwrites it with c_tilde. The GRU ties the two gates: Gamma_f = 1 - Gamma_u.
    """
    return Gamma_u * c_tilde + Gamma_f * c_prev


def memory_cell_forward(c0, c_tilde, Gamma_u, Gamma_f):
    """A memory cell run over a whole sequence of candidates and gate values.

    Inputs:
    - c0: initial content, (n, m)
    - c_tilde: candidate at every step, (n, m, T)
    - Gamma_u: update gate at every step, (n, m, T)
    - Gamma_f: forget gate at every step, (n, m, T)

    Returns:
    - c: (n, m, T); c[:, :, t] is the content after step t (c0 itself is not included)

    Notes
    -----
    c<t> = Gamma_u<t> * c_tilde<t> + Gamma_f<t> * c<t-1> for t = 1 .. T, with c<0> = c0: memory_cell_step at
    every step, its result carried to the next step.
    """
    T = c_tilde.shape[2]
    c = np.zeros(c_tilde.shape)
    c_prev = c0
    for t in range(T):
        c_prev = memory_cell_step(c_prev, c_tilde[:, :, t], Gamma_u[:, :, t], Gamma_f[:, :, t])
        c[:, :, t] = c_prev
    return c
