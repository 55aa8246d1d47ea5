"""Initial parameters for training: the vanilla RNN, the GRU and the LSTM, with the names of rnn_ref's API.

Dimensions: n_x input features, n_a hidden units, n_y outputs. Every function draws from
np.random.default_rng(seed), so the same seed gives the same parameters.

The choices, and why:
- Weights that read the input x<t> or feed the output (Wax, the x-columns of the gate weights, Wya / Wy):
  Glorot (Xavier) uniform, U(-r, r) with r = sqrt(6 / (fan_in + fan_out)), so that a layer keeps the variance
  of what flows through it, forwards and backwards (Glorot and Bengio 2010).
- Recurrent weights (Waa, the a-columns of the gate weights): a random orthogonal matrix. Its singular values
  are all 1, so at the start a<t-1> is neither shrunk nor blown up by the product repeated at every step,
  which delays vanishing and exploding gradients (Saxe et al. 2014).
- Biases: zero, except the LSTM's forget-gate bias bf = 1, so that Gamma_f starts near sigmoid(1) = 0.73 and
  the memory cell remembers from the first step (Gers et al. 2000; Jozefowicz et al. 2015).
"""
import numpy as np


def initialize_rnn(n_x, n_a, n_y, seed=0):
    """Parameters of the vanilla RNN: Wax (n_a, n_x), Waa (n_a, n_a), Wya (n_y, n_a), ba (n_a, 1), by (n_y, 1).

    Wax and Wya are Glorot uniform, Waa is orthogonal, the biases are zero (see the module's docstring).
    """
    rng = np.random.default_rng(seed)
    return {
        "Wax": glorot_uniform(rng, n_a, n_x),
        "Waa": orthogonal(rng, n_a),
        "Wya": glorot_uniform(rng, n_y, n_a),
        "ba": np.zeros((n_a, 1)),
        "by": np.zeros((n_y, 1)),
    }


def initialize_gru(n_x, n_a, n_y, seed=0):
    """Parameters of the GRU: Wu, Wr, Wc (n_a, n_a + n_x), bu, br, bc (n_a, 1), Wy (n_y, n_a), by (n_y, 1).

    Each gate weight acts on [a<t-1>; x<t>]: its first n_a columns (on a<t-1>) are orthogonal, its last n_x
    columns (on x<t>) Glorot uniform. Biases are zero.
    """
    rng = np.random.default_rng(seed)
    parameters = {}
    for g in "urc":
        parameters["W" + g] = _gate_weights(rng, n_x, n_a)
        parameters["b" + g] = np.zeros((n_a, 1))
    parameters["Wy"] = glorot_uniform(rng, n_y, n_a)
    parameters["by"] = np.zeros((n_y, 1))
    return parameters


def initialize_lstm(n_x, n_a, n_y, seed=0):
    """Parameters of the LSTM: Wf, Wu, Wc, Wo (n_a, n_a + n_x), bf, bu, bc, bo (n_a, 1), Wy (n_y, n_a), by.

    Gate weights as for the GRU (orthogonal on a<t-1>, Glorot uniform on x<t>); biases zero except the
    forget gate's, bf = 1.
    """
    rng = np.random.default_rng(seed)
    parameters = {}
    for g in "fuco":
        parameters["W" + g] = _gate_weights(rng, n_x, n_a)
        parameters["b" + g] = np.zeros((n_a, 1))
    parameters["bf"] = np.ones((n_a, 1))
    parameters["Wy"] = glorot_uniform(rng, n_y, n_a)
    parameters["by"] = np.zeros((n_y, 1))
    return parameters


def glorot_uniform(rng, fan_out, fan_in):
    """A (fan_out, fan_in) weight drawn from U(-r, r), r = sqrt(6 / (fan_in + fan_out)): variance 2 / (in + out)."""
    r = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-r, r, size=(fan_out, fan_in))


def orthogonal(rng, n):
    """A random (n, n) orthogonal matrix Q (Q^T Q = I), uniformly distributed over the orthogonal matrices.

    Q comes from the QR decomposition of a Gaussian matrix; multiplying each column by the sign of R's
    diagonal makes the decomposition unique, and Q uniformly distributed (Mezzadri 2007).
    """
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def _gate_weights(rng, n_x, n_a):
    """A gate's (n_a, n_a + n_x) weight on [a<t-1>; x<t>]: orthogonal columns on a<t-1>, Glorot on x<t>."""
    return np.hstack([orthogonal(rng, n_a), glorot_uniform(rng, n_a, n_x)])
