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
     "reset gate applied after the product (PyTorch's placement)", "PyTorch's form"),
    ("gru_cell_forward", "Gamma_u * c_tilde + (1 - Gamma_u) * a_prev", "(1 - Gamma_u) * c_tilde + Gamma_u * a_prev",
     "Gamma_u and 1 - Gamma_u swapped", "Gamma_u and 1 - Gamma_u are swapped"),
    ("gru_cell_forward", _STACKS,
     _STACKS.replace("[a_prev, xt]", "[xt, a_prev]").replace("[Gamma_r * a_prev, xt]", "[xt, Gamma_r * a_prev]"),
     "x stacked before a in both columns", "[xt; a_prev]"),
    ("gru_cell_forward", "concat = np.concatenate([a_prev, xt], axis=0)",
     "concat = np.concatenate([xt, a_prev], axis=0)", "x stacked before a in the gates' column only", "the gates' stacked column is [xt; a_prev]"),
    ("gru_cell_forward", "[Gamma_r * a_prev, xt]", "[a_prev, xt]", "no relevance gate in the candidate", "the candidate ignores the relevance gate"),
    ("gru_cell_forward", ' + parameters["bu"])', ")", "update gate without its bias", "ignores its bias bu"),
    ("gru_cell_forward", 'yt_pred = softmax(parameters["Wy"] @ a_next + parameters["by"])',
     'yt_pred = parameters["Wy"] @ a_next + parameters["by"]', "softmax missing", "the softmax is missing"),
    ("gru_cell_forward", _STACKS.split("\n")[1] + "\n" + _STACKS.split("\n")[2],
     _STACKS.split("\n")[1].replace('"Wu"', '"Wr"').replace('"bu"', '"br"') + "\n"
     + _STACKS.split("\n")[2].replace('"Wr"', '"Wu"').replace('"br"', '"bu"'),
     "update and relevance gates swapped", "the update and relevance gates are swapped"),
    ("gru_cell_forward", ' + parameters["br"])', ")", "relevance gate without its bias", "ignores its bias br"),
    ("gru_cell_forward", ' + parameters["bc"])', ")", "candidate without its bias", "ignores its bias bc"),
    ("gru_cell_forward", "c_tilde = np.tanh(", "c_tilde = sigmoid(", "sigmoid for the candidate",
     "the candidate uses the sigmoid"),
    ("gru_cell_forward", "Gamma_u = sigmoid(", "Gamma_u = np.tanh(", "tanh for the update gate",
     "the update gate uses tanh"),
    ("gru_cell_forward", _C_TILDE,
     'Gamma_r * np.tanh(parameters["Wc"] @ np.concatenate([a_prev, xt], axis=0) + parameters["bc"])',
     "the relevance gate multiplies the candidate", "Gamma_r multiplies the candidate"),
    ("gru_cell_forward", "Gamma_u * c_tilde + (1 - Gamma_u) * a_prev", "Gamma_u * c_tilde + a_prev",
     "a_prev not weighted by 1 - Gamma_u", "weighted by (1 - Gamma_u)"),
    # gru_forward
    ("gru_forward", "gru_cell_forward(x[:, :, t], a_next, parameters)", "gru_cell_forward(x[:, :, t], a0, parameters)",
     "a0 fed to every step", "every step starts from a0"),
    ("gru_forward", _STEP + "        a[:, :, t] = a_next\n", "        a[:, :, t] = a_next\n" + _STEP,
     "stores a_prev instead of a_next", "before step t instead of after it"),
    ("gru_forward", "a_next = a0", "a_next = np.zeros_like(a0)", "starts from zeros instead of a0", "starts from zeros instead of a0"),
    ("gru_forward", "for t in range(T_x):", "for t in range(1, T_x):", "off by one: the first step is skipped", "skips the first step"),
    ("gru_forward", "        y_pred[:, :, t] = yt_pred\n", "", "y_pred never filled in", "never filled in"),
    # gru_cell_backward
    ("gru_cell_backward", "da_prev = da_next * (1 - Gamma_u) + ", "da_prev = ",
     "missing the direct (1 - Gamma_u) path", "misses the direct path"),
    ("gru_cell_backward", " + dconcat_r[:n_a] * Gamma_r", "", "missing the path from a_prev through the candidate", "misses the path through the candidate"),
    ("gru_cell_backward", "+ dconcat_r[:n_a] * Gamma_r", "+ dconcat_r[:n_a]",
     "the candidate's share of da_prev not multiplied by Gamma_r", "not multiplied by Gamma_r"),
    ("gru_cell_backward", "dGamma_r = dconcat_r[:n_a] * a_prev", "dGamma_r = np.zeros_like(a_prev)",
     "no derivative through the relevance gate", "no gradient reaches the relevance gate"),
    ("gru_cell_backward", "dGamma_u = da_next * (c_tilde - a_prev)", "dGamma_u = da_next * (a_prev - c_tilde)",
     "dGamma_u with the wrong sign", "dGamma_u has the wrong sign"),
    ("gru_cell_backward", "dWc = dz_c @ concat_r.T", "dWc = dz_c @ concat.T", "dWc with the gates' column", "the candidate saw [Gamma_r * a_prev; xt]"),
    ("gru_cell_backward", "dz_c = dc_tilde * (1 - c_tilde ** 2)", "dz_c = dc_tilde", "tanh derivative missing", "the derivative of tanh is missing"),
    ("gru_cell_backward", "dz_u = dGamma_u * Gamma_u * (1 - Gamma_u)", "dz_u = dGamma_u * (1 - Gamma_u ** 2)",
     "tanh's derivative used for the sigmoid gate", "the gate is a sigmoid"),
    ("gru_cell_backward", "dbu = np.sum(dz_u, axis=1, keepdims=True)", "dbu = np.sum(dz_u, axis=1)",
     "dbu not kept as a column", "keepdims=True"),
    ("gru_cell_backward", "dxt = dconcat_r[n_a:] + dconcat[n_a:]", "dxt = dconcat_r[n_a:]",
     "dxt misses the gates' path", "dxt misses the path through the gates"),
    ("gru_cell_backward", "dc_tilde = da_next * Gamma_u", "dc_tilde = da_next", "dc_tilde without Gamma_u",
     "dc_tilde is da_next * Gamma_u"),
    ("gru_cell_backward", "dz_u = dGamma_u * Gamma_u * (1 - Gamma_u)", "dz_u = dGamma_u",
     "the update gate's sigmoid derivative missing", "the sigmoid derivative is missing in dz_u"),
    ("gru_cell_backward", "dz_r = dGamma_r * Gamma_r * (1 - Gamma_r)", "dz_r = dGamma_r",
     "the relevance gate's sigmoid derivative missing", "the sigmoid derivative is missing in dz_r"),
    ("gru_cell_backward", "dWu = dz_u @ concat.T", "dWu = dz_u @ concat_r.T", "dWu with the candidate's column",
     "the gates saw [a_prev; xt]"),
    ("gru_cell_backward", " + dconcat[:n_a]\n", "\n", "da_prev misses the gates' path",
     "da_prev misses the path through the gates"),
    ("gru_cell_backward", "dxt = dconcat_r[n_a:] + dconcat[n_a:]", "dxt = dconcat[n_a:]",
     "dxt misses the candidate's path", "dxt misses the path through the candidate"),
    ("gru_cell_backward", "dbr = np.sum(dz_r, axis=1, keepdims=True)", "dbr = np.sum(dz_r, axis=0, keepdims=True)",
     "dbr summed over the units instead of the examples", "summed over the examples"),
    ("gru_cell_backward", "dWr = dz_r @ concat.T", "dWr = concat @ dz_r.T", "dWr transposed", "It is transposed"),
    # gru_backward
    ("gru_backward", "gru_cell_backward(da[:, :, t] + da_prevt,", "gru_cell_backward(da_prevt,",
     "the upstream gradient da[:, :, t] ignored", "its own upstream gradient da[:, :, t]"),
    ('gru_backward', 'dWu += grads["dWu"]', 'dWu = grads["dWu"]', "weights not accumulated over time", "not summed over the time steps"),
    ('gru_backward', 'dbc += grads["dbc"]', 'dbc = grads["dbc"]', "dbc not accumulated over time", "dbc is not summed over the time steps"),
    ("gru_backward", "gru_cell_backward(da[:, :, t] + da_prevt, cell_caches[t])",
     "gru_cell_backward(da[:, :, t], cell_caches[t])", "da_prev not carried to the earlier step", "not the da_prev coming back"),
    ("gru_backward", "for t in reversed(range(T_x)):", "for t in range(T_x):", "loops forwards in time", "the loop runs forwards in time"),
    ("gru_backward", "da0 = da_prevt", "da0 = da[:, :, 0]", "da0 taken from the upstream gradient of the first step", "not da[:, :, 0]"),
    ("gru_backward", "da_prevt, cell_caches[t])", "da_prevt, cell_caches[T_x - 1 - t])",
     "each step paired with the cache of the wrong step", "its own cache"),
]
