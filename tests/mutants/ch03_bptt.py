"""Planted bugs for Chapter 3 (backpropagation through time): each must fail at least one test cell of its
exercise."""

MUTANTS = [
    # numerical_gradient
    ("numerical_gradient", "grad[i] = (f_plus - f_minus) / (2 * h)", "grad[i] = (f_plus - f_minus) / h",
     "centred difference divided by h instead of 2 h"),
    ("numerical_gradient", "x[i] = old - h\n        f_minus = f(x)\n        x[i] = old\n"
                           "        grad[i] = (f_plus - f_minus) / (2 * h)",
     "x[i] = old\n        f_minus = f(x)\n        grad[i] = (f_plus - f_minus) / h",
     "one-sided (forward) difference instead of the centred one"),
    ("numerical_gradient", "        x[i] = old\n        grad[i]", "        grad[i]",
     "the moved entry is not put back: later entries are evaluated at a shifted point"),
    ("numerical_gradient", "x = np.array(x, dtype=float)  # a copy: the caller's x stays as it was\n"
                           "    grad = np.zeros(x.shape)\n    for i in np.ndindex(x.shape):\n"
                           "        old = x[i]\n        x[i] = old + h\n        f_plus = f(x)\n"
                           "        x[i] = old - h\n        f_minus = f(x)\n        x[i] = old\n",
     "grad = np.zeros(x.shape)\n    for i in np.ndindex(x.shape):\n"
     "        old = x[i]\n        x[i] = old + h\n        f_plus = f(x)\n"
     "        x[i] = old - h\n        f_minus = f(x)\n",
     "the caller's x is moved in place and never restored"),
    ("numerical_gradient", "for i in np.ndindex(x.shape):", "for i in range(x.shape[0]):",
     "loops over the first axis only: moves whole rows at once"),
    ("numerical_gradient", "(f_plus - f_minus) / (2 * h)", "(f_plus - f_minus) / (2 * 1e-5)",
     "ignores the argument h"),
    # rel_error
    ("rel_error", "max(np.linalg.norm(a) + np.linalg.norm(b), TINY)", "np.linalg.norm(a) + np.linalg.norm(b)",
     "no guard: 0 / 0 gives nan for two zero arrays"),
    ("rel_error", "float(np.linalg.norm(a - b) / denominator)", "float(np.max(np.abs(a - b)) / denominator)",
     "max-abs difference over a norm-based denominator"),
    ("rel_error", "max(np.linalg.norm(a) + np.linalg.norm(b), TINY)", "max(np.linalg.norm(a), TINY)",
     "divides by the norm of a only"),
    ("rel_error", "float(np.linalg.norm(a - b) / denominator)",
     "float(np.mean(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), TINY)))",
     "mean of entry-wise relative errors instead of norms"),
    ("rel_error", "float(np.linalg.norm(a - b) / denominator)",
     "float(np.sum((a - b) ** 2) / max(np.sum(a ** 2) + np.sum(b ** 2), TINY))",
     "squared norms"),
    # rnn_cell_backward
    ("rnn_cell_backward", "dz = da_next * (1 - a_next ** 2)", "dz = da_next",
     "forgot the tanh derivative (1 - a_next**2)"),
    ("rnn_cell_backward", "dz = da_next * (1 - a_next ** 2)", "dz = da_next * (1 - np.tanh(a_next) ** 2)",
     "tanh derivative evaluated at a_next instead of z"),
    ("rnn_cell_backward", "da_prev = Waa.T @ dz", "da_prev = Waa @ dz",
     "Waa not transposed in da_prev (square, so no shape error)"),
    ("rnn_cell_backward", "dWaa = dz @ a_prev.T", "dWaa = dz @ a_next.T",
     "dWaa uses a_next instead of a_prev"),
    ("rnn_cell_backward", "dWaa = dz @ a_prev.T", "dWaa = a_prev @ dz.T",
     "dWaa transposed (square, so no shape error)"),
    ("rnn_cell_backward", "dba = np.sum(dz, axis=1, keepdims=True)", "dba = np.mean(dz, axis=1, keepdims=True)",
     "dba averaged over the examples instead of summed"),
    ("rnn_cell_backward", "dba = np.sum(dz, axis=1, keepdims=True)", "dba = np.sum(dz, axis=1)",
     "dba loses its column shape (n_a,) instead of (n_a, 1)"),
    ("rnn_cell_backward", "dxt = Wax.T @ dz", "dxt = Wax @ dz",
     "Wax not transposed in dxt"),
    # rnn_backward
    ("rnn_backward", "rnn_cell_backward(da[:, :, t] + da_carry, cell_caches[t])",
     "rnn_cell_backward(da[:, :, t], cell_caches[t])",
     "the carried gradient from step t+1 is not added"),
    ("rnn_backward", "rnn_cell_backward(da[:, :, t] + da_carry, cell_caches[t])",
     "rnn_cell_backward(da_carry + (da[:, :, t] if t == T_x - 1 else 0), cell_caches[t])",
     "the upstream gradient da[:, :, t] is used at the last step only"),
    ("rnn_backward", "for t in reversed(range(T_x)):", "for t in range(T_x):",
     "iterates forward in time"),
    ("rnn_backward", "dWaa += grads[\"dWaa\"]", "dWaa = grads[\"dWaa\"]",
     "dWaa not accumulated over time"),
    ("rnn_backward", "dWax += grads[\"dWax\"]", "dWax = grads[\"dWax\"]",
     "dWax not accumulated over time"),
    ("rnn_backward", "dba += grads[\"dba\"]", "dba = dba + grads[\"dba\"] / T_x",
     "dba averaged over time"),
    ("rnn_backward", "da0 = da_carry", "da0 = da[:, :, 0]",
     "da0 taken from the upstream gradient instead of the carry"),
    ("rnn_backward", "grads = rnn_cell_backward(da[:, :, t] + da_carry, cell_caches[t])",
     "da[:, :, t] += da_carry\n        grads = rnn_cell_backward(da[:, :, t], cell_caches[t])",
     "the caller's da is changed in place"),
    ("rnn_backward", "cell_caches[t])", "cell_caches[t - 1])",
     "off by one in time: step t uses the cache of step t-1"),
]
