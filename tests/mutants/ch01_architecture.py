"""Planted bugs for ch01_architecture: each must make at least one test cell of its exercise fail."""

MUTANTS = [
    # (exercise grade_id, exact text in its solution cell, replacement, the mistake it plants,
    #  a part of the hint that a failing test's message must give)
    # rnn_cell_forward
    ("rnn_cell_forward", " + ba)", ")", "a_next ignores ba", 'a_next ignores ba?'),
    ("rnn_cell_forward", " + by)", ")", "yt_pred ignores by", 'yt_pred ignores by?'),
    ("rnn_cell_forward", "np.tanh(Waa @ a_prev + Wax @ xt + ba)",
     "1 / (1 + np.exp(-(Waa @ a_prev + Wax @ xt + ba)))", "sigmoid instead of tanh", 'sigmoid instead of tanh'),
    ("rnn_cell_forward", "np.tanh(", "np.maximum(0, ", "relu instead of tanh", 'relu instead of tanh'),
    ("rnn_cell_forward", "Waa @ a_prev + Wax @ xt", "Wax @ a_prev + Waa @ xt", "Wax and Waa swapped", 'Wax and Waa swapped'),
    ("rnn_cell_forward", "Waa @ a_prev", "Waa.T @ a_prev", "Waa transposed", 'Waa transposed'),
    ("rnn_cell_forward", "Wax @ xt", "Wax.T @ xt", "Wax transposed", 'Wax transposed'),
    ("rnn_cell_forward", "softmax(Wya @ a_next + by)",
     "np.exp(Wya @ a_next + by) / np.sum(np.exp(Wya @ a_next + by), axis=1, keepdims=True)",
     "softmax over the examples (axis 1) instead of the classes", 'axis 1 (the examples)'),
    ("rnn_cell_forward", "softmax(Wya @ a_next + by)",
     "np.exp(Wya @ a_next + by) / np.sum(np.exp(Wya @ a_next + by), axis=0, keepdims=True)",
     "softmax without subtracting the maximum (overflows on large scores)"),
    ("rnn_cell_forward", "Wya @ a_next", "Wya @ a_prev", "prediction from a_prev instead of a_next", 'computed from a_prev instead of a_next'),
    ("rnn_cell_forward", "softmax(Wya @ a_next + by)", "np.tanh(Wya @ a_next + by)", "tanh instead of softmax", 'tanh instead of softmax'),
    ("rnn_cell_forward", "cache = (a_next, a_prev, xt, parameters)", "cache = (a_prev, a_next, xt, parameters)",
     "cache in the wrong order", 'in this order'),
    ("rnn_cell_forward", "np.tanh(Waa @ a_prev + Wax @ xt + ba)", "np.tanh(Waa @ a_prev + Wax @ xt + ba, out=a_prev)",
     "a_prev overwritten in place", 'changed its input a_prev in place'),
    ("rnn_cell_forward", "ba, by = parameters[\"ba\"], parameters[\"by\"]",
     "ba, by = parameters[\"ba\"].ravel(), parameters[\"by\"].ravel()", "biases flattened to 1-D (broadcast over the examples)", 'the biases are columns'),
    # rnn_forward
    ("rnn_forward", "a_prev = a_next", "a_prev = a0", "hidden state never carried forward (always a0)", 'never carried forward'),
    ("rnn_forward", "a[:, :, t] = a_next", "a[:, :, t] = a_prev", "off by one: stores a_prev instead of a_next", 'off by one in time'),
    ("rnn_forward", "range(T_x)", "reversed(range(T_x))", "reads the sequence backwards in time", 'backwards in time'),
    ("rnn_forward", "range(T_x)", "range(T_x - 1)", "skips the last step", 'once per step'),
    ("rnn_forward", "y_pred[:, :, t] = yt_pred", "y_pred[:, :, T_x - 1] = yt_pred", "keeps only the last prediction", "only the last step's prediction"),
    ("rnn_forward", "caches = (cell_caches, x)", "caches = cell_caches", "caches without x", 'caches is wrong'),
    ("rnn_forward", "a_prev = a_next", "a_prev[...] = a_next", "overwrites a0 in place", 'changed its input a0 in place'),
    ("rnn_forward", "rnn_cell_forward(x[:, :, t], a_prev, parameters)",
     "(lambda xt, a_p, p: (lambda a_n: (a_n, softmax(p['Wya'] @ a_n + p['by']), (a_n, a_p, xt, p)))"
     "(np.tanh(p['Waa'] @ a_p + p['Wax'] @ xt + p['ba'])))(x[:, :, t], a_prev, parameters)",
     "copies the cell's equations instead of calling rnn_cell_forward", 'once per step'),
]
