"""Sequence to sequence: an encoder GRU reads the source, a decoder GRU writes the target (T_x != T_y).

Dimensions: V_src and V_tgt tokens in the source and target vocabularies, n_e embedding features, n_a hidden
units (the same in both GRUs, since the encoder's last state starts the decoder), m examples, T_x source steps,
T_y target steps.

Tokens are integer ids. A batch of sequences is an int array (m, T) (one example per row, time along the
columns, as text is written), right-padded with PAD = 0 after each sequence's end. In every vocabulary the ids
PAD = 0, START = 1 and END = 2 are reserved: START is the decoder's first input, END the token that closes an
output. Everything computed from the ids is in the course's layout, one example per column: e (n_e, m, T),
a (n_a, m, T), y_pred (V_tgt, m, T).

Parameters, a nested dict:
- E_src (n_e, V_src), E_tgt (n_e, V_tgt): embeddings, one column per token;
- encoder: a GRU dict Wu, Wr, Wc (n_a, n_a + n_e), bu, br, bc (n_a, 1), with NO output layer (the encoder's
  states are read only by the decoder; gru_forward then returns y_pred = None);
- decoder: a GRU dict with the same six weights and its output layer Wy (V_tgt, n_a), by (V_tgt, 1).
Gradients mirror it: {"dE_src", "dE_tgt", "encoder": {"dWu", ..., "dbc"}, "decoder": {"dWu", ..., "dWy", "dby"}}.

The GRUs are rnn_ref.gru's gru_forward and gru_backward, unchanged. Training with rnn_ref.optimizers works on
flat dicts: flatten_parameters, flatten_gradients and unflatten_parameters translate.
"""
import numpy as np

from .gru import gru_backward, gru_forward
from .initialization import initialize_gru
from .loss import output_layer_backward

PAD, START, END = 0, 1, 2
GRU_WEIGHTS = ("Wu", "bu", "Wr", "br", "Wc", "bc")


def embedding_forward(ids, E):
    """Look up the embedding of every token.

    Inputs:
    - ids: token ids, int (m, T), each in 0 .. V - 1
    - E: embeddings, (n_e, V), column k is token k's vector

    Returns:
    - e: (n_e, m, T), e[:, i, t] = E[:, ids[i, t]]
    - cache: (ids, E), for embedding_backward

    Notes
    -----
    e<t> = E one_hot(ids<t>): multiplying E by a one-hot column picks a column of E, so the lookup is the
    product written without the zeros.
    """
    return E[:, ids], (ids, E)


def embedding_backward(de, cache):
    """Gradient of the embeddings.

    Inputs:
    - de: gradient of the loss with respect to e, (n_e, m, T)
    - cache: (ids, E) from embedding_forward

    Returns a dict:
    - dE: (n_e, V), column k the sum of de[:, i, t] over every (i, t) with ids[i, t] = k

    Notes
    -----
    e<t> = E one_hot(ids<t>), so dE = sum over i, t of de[:, i, t] one_hot(ids[i, t])^T. A token that occurs
    twice receives both gradients: they add up (np.add.at), an assignment would keep only one.
    """
    ids, E = cache
    dE = np.zeros(E.shape)
    np.add.at(dE.T, ids.ravel(), de.reshape(de.shape[0], -1).T)
    return {"dE": dE}


def masked_cross_entropy(y_pred, targets, mask):
    """Cross-entropy averaged over the real (unpadded) target tokens.

    Inputs:
    - y_pred: softmax outputs, (n_y, m, T)
    - targets: target ids, int (m, T)
    - mask: (m, T), 1 at a real token, 0 at padding; at least one 1

    Returns:
    - loss: float

    Notes
    -----
    L = -(1 / N) sum over i, t of mask[i, t] log y_pred[targets[i, t], i, t],   N = sum of mask.
    This is torch.nn.functional.cross_entropy(logits, targets, ignore_index=PAD) with padding targets PAD.
    Padding is not data, so it must not count; and the sequences have different lengths, so the mean is over
    tokens: every token weighs the same, and the loss per token reads the same whatever the lengths in the
    batch. The course's earlier sequence_cross_entropy sums over time and averages over the m examples, which
    counts every step (there is no padding there, all sequences being T long), and grows with T.
    """
    m, T = targets.shape
    p_target = np.take_along_axis(y_pred, targets[np.newaxis], axis=0)[0]  # (m, T): y_pred[targets[i, t], i, t]
    return float(-np.sum(mask * np.log(p_target)) / np.sum(mask))


def masked_cross_entropy_backward(y_pred, targets, mask):
    """Gradient of masked_cross_entropy with respect to the pre-softmax outputs z.

    Inputs: as for masked_cross_entropy.

    Returns:
    - dz: (n_y, m, T), zero at every padded position

    Notes
    -----
    For softmax then cross-entropy, dL/dz = (y_pred - one_hot(target)) at each position; the mask and the mean
    over the N real tokens scale it:  dz[:, i, t] = mask[i, t] (y_pred[:, i, t] - one_hot(targets[i, t])) / N.
    """
    y = np.zeros(y_pred.shape)
    np.put_along_axis(y, targets[np.newaxis], 1.0, axis=0)
    return (y_pred - y) * mask[np.newaxis] / np.sum(mask)


def seq2seq_forward(source, source_lengths, target_in, parameters):
    """The encoder-decoder with teacher forcing.

    Inputs:
    - source: source ids, int (m, T_x), right-padded with PAD
    - source_lengths: int (m,), each >= 1: example i's source is source[i, :source_lengths[i]]
    - target_in: the decoder's inputs, int (m, T_y): START, then the target shifted right by one
    - parameters: {"E_src", "E_tgt", "encoder", "decoder"}, as in the module's docstring

    Returns:
    - y_pred: softmax outputs of the decoder, (V_tgt, m, T_y)
    - cache: a dict, for seq2seq_backward:
      {"source_lengths", "source": embedding cache, "encoder": gru caches, "target": embedding cache,
       "decoder": gru caches, "a_dec": decoder states (n_a, m, T_y), "parameters"}

    Notes
    -----
    a_enc = GRU_enc(E_src one_hot(source), a<0> = 0)                        (n_a, m, T_x)
    context[:, i] = a_enc[:, i, source_lengths[i] - 1]                      (n_a, m)
    a_dec = GRU_dec(E_tgt one_hot(target_in), a<0> = context)               (n_a, m, T_y)
    y_pred = softmax(Wy a_dec<t> + by) at every step
    The context is each example's own last real state: the padding comes after it, and a GRU reads left to
    right, so the padded steps cannot reach a state before them. a_enc[:, :, T_x - 1] would be the state after
    reading the padding as well.
    Teacher forcing: the decoder reads the true previous token (target_in), not its own previous guess.
    """
    n_a, m = parameters["encoder"]["Wu"].shape[0], source.shape[0]
    e_src, source_cache = embedding_forward(source, parameters["E_src"])
    a_enc, _, encoder_caches = gru_forward(e_src, np.zeros((n_a, m)), parameters["encoder"])
    context = a_enc[:, np.arange(m), source_lengths - 1]
    e_tgt, target_cache = embedding_forward(target_in, parameters["E_tgt"])
    a_dec, y_pred, decoder_caches = gru_forward(e_tgt, context, parameters["decoder"])
    cache = {"source_lengths": source_lengths, "source": source_cache, "encoder": encoder_caches,
             "target": target_cache, "decoder": decoder_caches, "a_dec": a_dec, "parameters": parameters}
    return y_pred, cache


def seq2seq_backward(dz, cache):
    """Backpropagation through the decoder, the context and the encoder.

    Inputs:
    - dz: gradient of the loss with respect to the decoder's pre-softmax outputs, (V_tgt, m, T_y), e.g. from
      masked_cross_entropy_backward
    - cache: from seq2seq_forward

    Returns a dict mirroring the parameters:
    - dE_src (n_e, V_src), dE_tgt (n_e, V_tgt)
    - encoder: {dWu, dbu, dWr, dbr, dWc, dbc}
    - decoder: {dWu, dbu, dWr, dbr, dWc, dbc, dWy, dby}

    Notes
    -----
    dWy = sum_t dz<t> a_dec<t>^T, dby = sum of dz, da_dec<t> = Wy^T dz<t>   (output_layer_backward)
    gru_backward(da_dec) gives de_tgt and da0 = dcontext, the gradient that crosses from decoder to encoder.
    The context is a_enc[:, i, len_i - 1], so dcontext[:, i] is the encoder's only upstream gradient, at step
    len_i - 1 of example i (zero elsewhere: no loss reads the other encoder states directly).
    gru_backward(da_enc) gives de_src; embedding_backward turns de_src and de_tgt into dE_src and dE_tgt.
    """
    parameters, lengths = cache["parameters"], cache["source_lengths"]
    output = output_layer_backward(dz, cache["a_dec"], parameters["decoder"])
    decoder = gru_backward(output["da"], cache["decoder"])
    e_src = cache["encoder"][1]
    n_a, (_, m, T_x) = decoder["da0"].shape[0], e_src.shape
    da_enc = np.zeros((n_a, m, T_x))
    da_enc[:, np.arange(m), lengths - 1] = decoder["da0"]
    encoder = gru_backward(da_enc, cache["encoder"])
    return {
        "dE_src": embedding_backward(encoder["dx"], cache["source"])["dE"],
        "dE_tgt": embedding_backward(decoder["dx"], cache["target"])["dE"],
        "encoder": {"d" + name: encoder["d" + name] for name in GRU_WEIGHTS},
        "decoder": {**{"d" + name: decoder["d" + name] for name in GRU_WEIGHTS},
                    "dWy": output["dWy"], "dby": output["dby"]},
    }


def greedy_decode(source, source_lengths, parameters, max_length):
    """Translate: encode the source, then write the most likely token at each step, fed back as the next input.

    Inputs:
    - source, source_lengths, parameters: as for seq2seq_forward
    - max_length: the number of tokens written per example, >= 1

    Returns:
    - tokens: int (m, max_length). Row i is the argmax at each step; once it holds END, the rest of the row
      is PAD (END itself is kept). The shape is always (m, max_length): the loop stops as soon as every row
      has ended, and the steps it did not run are PAD.

    Notes
    -----
    a<0> = context (as in seq2seq_forward), token<0> = START; for t = 1, ..., max_length:
        a<t> = GRU_dec step(E_tgt one_hot(token<t-1>), a<t-1>),   token<t> = argmax(Wy a<t> + by)
    (the argmax of the logits is the softmax's, since softmax keeps the order). Each step is gru_forward on a
    sequence of length 1 from the previous state.
    """
    n_a, m = parameters["encoder"]["Wu"].shape[0], source.shape[0]
    e_src, _ = embedding_forward(source, parameters["E_src"])
    a_enc, _, _ = gru_forward(e_src, np.zeros((n_a, m)), parameters["encoder"])
    a = a_enc[:, np.arange(m), source_lengths - 1]
    tokens = np.full((m, max_length), PAD, dtype=int)
    previous = np.full((m, 1), START, dtype=int)
    ended = np.zeros(m, dtype=bool)
    for t in range(max_length):
        e, _ = embedding_forward(previous, parameters["E_tgt"])
        a_step, y_step, _ = gru_forward(e, a, parameters["decoder"])
        a = a_step[:, :, 0]
        token = np.where(ended, PAD, np.argmax(y_step[:, :, 0], axis=0))
        tokens[:, t] = token
        ended = ended | (token == END)
        if ended.all():
            break
        previous = token[:, np.newaxis]
    return tokens


def initialize_seq2seq(V_src, V_tgt, n_e, n_a, seed=0):
    """Initial parameters of the encoder-decoder, in the layout of the module's docstring.

    Embeddings are standard normal (as torch.nn.Embedding's); the GRUs are rnn_ref.initialization's
    initialize_gru (orthogonal on a<t-1>, Glorot uniform on the input and the output, zero biases), the
    encoder without its output layer.
    """
    rng = np.random.default_rng(seed)
    encoder = initialize_gru(n_e, n_a, 1, seed=seed + 1)
    return {
        "E_src": rng.standard_normal((n_e, V_src)),
        "E_tgt": rng.standard_normal((n_e, V_tgt)),
        "encoder": {name: encoder[name] for name in GRU_WEIGHTS},
        "decoder": initialize_gru(n_e, n_a, V_tgt, seed=seed + 2),
    }


def flatten_parameters(parameters):
    """The nested parameters as one flat dict, for rnn_ref.optimizers: {"E_src", "encoder.Wu", ...}."""
    return _flatten(parameters, lambda outer, inner: f"{outer}.{inner}")


def flatten_gradients(gradients):
    """seq2seq_backward's nested gradients keyed as the optimisers want them: "d" + the flat parameter name,
    {"dE_src", "dencoder.Wu", ...} (the nested "encoder": {"dWu"} becomes "dencoder.Wu")."""
    return _flatten(gradients, lambda outer, inner: f"d{outer}.{inner[1:]}")


def _flatten(tree, key):
    """A dict of arrays and dicts of arrays as one flat dict: tree[outer][inner] is flat[key(outer, inner)]."""
    flat = {}
    for name, value in tree.items():
        if isinstance(value, dict):
            flat.update({key(name, inner): array for inner, array in value.items()})
        else:
            flat[name] = value
    return flat


def unflatten_parameters(flat):
    """The inverse of flatten_parameters: {"encoder.Wu": W, ...} -> {"encoder": {"Wu": W, ...}, ...}."""
    parameters = {}
    for name, value in flat.items():
        outer, dot, inner = name.partition(".")
        if dot:
            parameters.setdefault(outer, {})[inner] = value
        else:
            parameters[name] = value
    return parameters
