"""Optimisers: gradient descent with momentum, and Adam.

`parameters` is a flat dict of arrays (as made by rnn_ref.initialization), `gradients` a dict that holds, for
every name in `parameters`, the gradient keyed "d" + name (as the backward functions return them; other keys,
such as dx or da0, are ignored).

`step(parameters, gradients)` returns a NEW parameter dict and leaves both arguments unchanged. An optimiser
keeps its own state (the velocities or moments, one array per parameter name, in new arrays that never share
memory with the caller's gradients), so use one optimiser object for one training run.
"""
import numpy as np


class SGD:
    """Stochastic gradient descent, with optional momentum (PyTorch's convention, no dampening).

    Notes
    -----
    For every parameter W with gradient dW, at step k = 1, 2, ...:
        v<k> = momentum * v<k-1> + dW      (v<0> = 0)
        W   <- W - lr * v<k>
    With momentum = 0 this is plain gradient descent, W <- W - lr * dW.
    """

    def __init__(self, lr, momentum=0.0):
        if not lr > 0:
            raise ValueError(f"lr must be positive, got {lr!r}")
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
        self.lr, self.momentum = lr, momentum
        self.velocity = {}  # name -> v, created at the first step

    def step(self, parameters, gradients):
        """One update: a new dict {name: W - lr * v}; `parameters` and `gradients` are left unchanged."""
        updated = {}
        for name, W in parameters.items():
            dW = _gradient(gradients, name, W)
            v = self.momentum * self.velocity.get(name, 0.0) + dW  # a new array: never the caller's dW
            self.velocity[name] = v
            updated[name] = W - self.lr * v
        return updated

    def __repr__(self):
        return f"SGD(lr={self.lr!r}, momentum={self.momentum!r})"


class Adam:
    """Adam (Kingma and Ba 2015): momentum on the gradient, scaled per entry by a running RMS of the gradient.

    Notes
    -----
    For every parameter W with gradient dW, at step k = 1, 2, ... (m<0> = v<0> = 0):
        m<k> = beta1 * m<k-1> + (1 - beta1) * dW           first moment (mean of dW)
        v<k> = beta2 * v<k-1> + (1 - beta2) * dW^2         second moment (mean of dW^2, entry by entry)
        m_hat = m<k> / (1 - beta1^k),  v_hat = v<k> / (1 - beta2^k)      corrections for starting at 0
        W   <- W - lr * m_hat / (sqrt(v_hat) + eps)
    This is torch.optim.Adam without weight decay. The first step moves every entry by about lr.
    """

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        if not lr > 0:
            raise ValueError(f"lr must be positive, got {lr!r}")
        if not (0.0 <= beta1 < 1.0 and 0.0 <= beta2 < 1.0):
            raise ValueError(f"beta1 and beta2 must be in [0, 1), got {beta1!r} and {beta2!r}")
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.k = 0  # steps taken
        self.m, self.v = {}, {}  # name -> first and second moments, created at the first step

    def step(self, parameters, gradients):
        """One update: a new dict of updated parameters; `parameters` and `gradients` are left unchanged."""
        self.k += 1
        updated = {}
        for name, W in parameters.items():
            dW = _gradient(gradients, name, W)
            m = self.beta1 * self.m.get(name, 0.0) + (1.0 - self.beta1) * dW
            v = self.beta2 * self.v.get(name, 0.0) + (1.0 - self.beta2) * dW ** 2
            self.m[name], self.v[name] = m, v
            m_hat = m / (1.0 - self.beta1 ** self.k)
            v_hat = v / (1.0 - self.beta2 ** self.k)
            updated[name] = W - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        return updated

    def __repr__(self):
        return f"Adam(lr={self.lr!r}, beta1={self.beta1!r}, beta2={self.beta2!r}, eps={self.eps!r})"


def _gradient(gradients, name, W):
    """gradients["d" + name] as a float64 array of W's shape, or an error that names what is missing."""
    key = "d" + name
    if key not in gradients:
        raise KeyError(f"no gradient {key!r} for the parameter {name!r} (gradients has {sorted(gradients)})")
    dW = np.asarray(gradients[key], dtype=np.float64)
    if dW.shape != np.shape(W):
        raise ValueError(f"{key} has shape {dW.shape}, but {name} has shape {np.shape(W)}")
    return dW
