"""Planted bugs in chapter 6 (gates): each must make at least one test of its exercise fail."""

MUTANTS = [
    # gate_forward
    ("gate_forward", "U @ a_prev + b)", "U @ a_prev)", "the gate ignores its bias b", "the bias b is missing"),
    ("gate_forward", "U @ a_prev", "U.T @ a_prev", "U transposed", "U is transposed"),
    ("gate_forward", "sigmoid(W @ xt", "np.tanh(W @ xt", "tanh instead of the sigmoid", "tanh instead of the sigmoid"),
    ("gate_forward", "Gamma = sigmoid(W @ xt + U @ a_prev + b)", "Gamma = 1 / (1 + np.exp(-(W @ xt + U @ a_prev)))",
     "a hand-written sigmoid that also drops the bias", "the bias b is missing"),
    ("gate_forward", "Gamma = sigmoid(W @ xt + U @ a_prev + b)",
     "Gamma = np.exp(W @ xt + U @ a_prev + b) / (1 + np.exp(W @ xt + U @ a_prev + b))",
     "an unstable sigmoid: NaN for large pre-activations", "NaN or inf"),
    # memory_cell_step
    ("memory_cell_step", "Gamma_u * c_tilde + Gamma_f * c_prev", "Gamma_f * c_tilde + Gamma_u * c_prev",
     "update and forget gates swapped", "Gamma_u and Gamma_f are swapped"),
    ("memory_cell_step", "Gamma_f * c_prev", "(1 - Gamma_u) * c_prev", "the GRU's tie 1 - Gamma_u in place of Gamma_f", "1 - Gamma_u used in place of Gamma_f"),
    ("memory_cell_step", "c_next = Gamma_u * c_tilde + Gamma_f * c_prev",
     "c_prev *= Gamma_f\n    c_next = Gamma_u * c_tilde + c_prev", "the old content scaled in place (input changed)", "an input was changed"),
    ("memory_cell_step", "Gamma_u * c_tilde + Gamma_f * c_prev", "Gamma_u * c_tilde + c_prev",
     "the forget gate is ignored", "the forget gate is missing"),
    # memory_cell_forward
    ("memory_cell_forward", "c_next = c0", "c_next = np.zeros_like(c0)", "starts from zeros instead of c0", "starts from zeros instead of c0"),
    ("memory_cell_forward", "memory_cell_step(c_next,", "memory_cell_step(c0,", "every step starts from c0", "every step starts from c0"),
    ("memory_cell_forward",
     "        c_next = memory_cell_step(c_next, c_tilde[:, :, t], Gamma_u[:, :, t], Gamma_f[:, :, t])\n"
     "        c[:, :, t] = c_next",
     "        c[:, :, t] = c_next\n"
     "        c_next = memory_cell_step(c_next, c_tilde[:, :, t], Gamma_u[:, :, t], Gamma_f[:, :, t])",
     "stores the content before the step instead of after it", "holds the content before step t"),
    ("memory_cell_forward", "for t in range(T):", "for t in range(T - 1):", "off by one: the last step is skipped", "skips the last step"),
    ("memory_cell_forward", "for t in range(T):", "for t in reversed(range(T)):", "runs backwards in time", "runs backwards in time"),
    ("memory_cell_forward", "c_tilde[:, :, t], Gamma_u[:, :, t]", "c_tilde[:, :, t], Gamma_u[:, :, 0]",
     "the update gate of the first step reused at every step", "gates of the first step"),
]
