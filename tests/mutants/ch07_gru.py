"""Planted bugs in chapter 7 (GRU): each must make at least one test of its exercise fail."""

_C_TILDE = 'np.tanh(parameters["Wc"] @ np.concatenate([Gamma_r * a_prev, xt], axis=0) + parameters["bc"])'
_STACKS = (
    '    concat = np.concatenate([a_prev, xt], axis=0)\n'
    '    Gamma_u = sigmoid(parameters["Wu"] @ concat + parameters["bu"])\n'
    '    Gamma_r = sigmoid(parameters["Wr"] @ concat + parameters["br"])\n'
    '    c_tilde = np.tanh(parameters["Wc"] @ np.concatenate([Gamma_r * a_prev, xt], axis=0) + parameters["bc"])'
)
_STEP = "        a_next, yt_pred, cache = gru_cell_forward(x[:, :, t], a_next, parameters)\n"

MUTANTS = [
    # gru_cell_forward
    ("gru_cell_forward", _C_TILDE,
     'np.tanh(Gamma_r * (parameters["Wc"][:, :a_prev.shape[0]] @ a_prev) '
     '+ parameters["Wc"][:, a_prev.shape[0]:] @ xt + parameters["bc"])',
     "reset gate applied after the product (PyTorch's placement)"),
    ("gru_cell_forward", "Gamma_u * c_tilde + (1 - Gamma_u) * a_prev", "(1 - Gamma_u) * c_tilde + Gamma_u * a_prev",
     "Gamma_u and 1 - Gamma_u swapped"),
    ("gru_cell_forward", _STACKS,
     _STACKS.replace("[a_prev, xt]", "[xt, a_prev]").replace("[Gamma_r * a_prev, xt]", "[xt, Gamma_r * a_prev]"),
     "x stacked before a in both columns"),
    ("gru_cell_forward", "concat = np.concatenate([a_prev, xt], axis=0)",
     "concat = np.concatenate([xt, a_prev], axis=0)", "x stacked before a in the gates' column only"),
    ("gru_cell_forward", "[Gamma_r * a_prev, xt]", "[a_prev, xt]", "no relevance gate in the candidate"),
    ("gru_cell_forward", ' + parameters["bu"])', ")", "update gate without its bias"),
    ("gru_cell_forward", 'yt_pred = softmax(parameters["Wy"] @ a_next + parameters["by"])',
     'yt_pred = parameters["Wy"] @ a_next + parameters["by"]', "softmax missing"),
    # gru_forward
    ("gru_forward", "gru_cell_forward(x[:, :, t], a_next, parameters)", "gru_cell_forward(x[:, :, t], a0, parameters)",
     "a0 fed to every step"),
    ("gru_forward", _STEP + "        a[:, :, t] = a_next\n", "        a[:, :, t] = a_next\n" + _STEP,
     "stores a_prev instead of a_next"),
    ("gru_forward", "a_next = a0", "a_next = np.zeros_like(a0)", "starts from zeros instead of a0"),
    ("gru_forward", "for t in range(T_x):", "for t in range(1, T_x):", "off by one: the first step is skipped"),
    ("gru_forward", "        y_pred[:, :, t] = yt_pred\n", "", "y_pred never filled in"),
    # gru_cell_backward
    ("gru_cell_backward", "da_prev = da_next * (1 - Gamma_u) + ", "da_prev = ",
     "missing the direct (1 - Gamma_u) path"),
    ("gru_cell_backward", " + dconcat_r[:n_a] * Gamma_r", "", "missing the path from a_prev through the candidate"),
    ("gru_cell_backward", "+ dconcat_r[:n_a] * Gamma_r", "+ dconcat_r[:n_a]",
     "the candidate's share of da_prev not multiplied by Gamma_r"),
    ("gru_cell_backward", "dGamma_r = dconcat_r[:n_a] * a_prev", "dGamma_r = np.zeros_like(a_prev)",
     "no derivative through the relevance gate"),
    ("gru_cell_backward", "dGamma_u = da_next * (c_tilde - a_prev)", "dGamma_u = da_next * (a_prev - c_tilde)",
     "dGamma_u with the wrong sign"),
    ("gru_cell_backward", "dWc = dz_c @ concat_r.T", "dWc = dz_c @ concat.T", "dWc with the gates' column"),
    ("gru_cell_backward", "dz_c = dc_tilde * (1 - c_tilde ** 2)", "dz_c = dc_tilde", "tanh derivative missing"),
    ("gru_cell_backward", "dz_u = dGamma_u * Gamma_u * (1 - Gamma_u)", "dz_u = dGamma_u * (1 - Gamma_u ** 2)",
     "tanh's derivative used for the sigmoid gate"),
    ("gru_cell_backward", "dbu = np.sum(dz_u, axis=1, keepdims=True)", "dbu = np.sum(dz_u, axis=1)",
     "dbu not kept as a column"),
    ("gru_cell_backward", "dxt = dconcat_r[n_a:] + dconcat[n_a:]", "dxt = dconcat_r[n_a:]",
     "dxt misses the gates' path"),
    # gru_backward
    ('gru_backward', 'dWu += grads["dWu"]', 'dWu = grads["dWu"]', "weights not accumulated over time"),
    ('gru_backward', 'dbc += grads["dbc"]', 'dbc = grads["dbc"]', "dbc not accumulated over time"),
    ("gru_backward", "gru_cell_backward(da[:, :, t] + da_prevt, cell_caches[t])",
     "gru_cell_backward(da[:, :, t], cell_caches[t])", "da_prev not carried to the earlier step"),
    ("gru_backward", "for t in reversed(range(T_x)):", "for t in range(T_x):", "loops forwards in time"),
    ("gru_backward", "da0 = da_prevt", "da0 = da[:, :, 0]", "da0 taken from the upstream gradient of the first step"),
    ("gru_backward", "da_prevt, cell_caches[t])", "da_prevt, cell_caches[T_x - 1 - t])",
     "each step paired with the cache of the wrong step"),
]
