"""rnn_ref.seq2seq: the embedding, the masked loss and the encoder-decoder against PyTorch (float64), gradients
against centred differences, and greedy decoding against teacher forcing on its own output."""
import numpy as np
import pytest

import rnn_ref as R
import rnn_ref.seq2seq as S
from test_rnn_ref_helpers import check_gradients, randn

try:  # PyTorch is optional: without it, the tests against torch are skipped and the others run
    import torch
    import torch.nn.functional as F

    import torch_gold
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")

ATOL = 1e-10
# (V_src, V_tgt, n_e, n_a, m, T_x, T_y)
CASES = [pytest.param((7, 6, 3, 4, 3, 5, 4), id="general"), pytest.param((4, 4, 2, 3, 1, 1, 1), id="m1-T1")]


def case(shape, seed=0):
    """Random parameters (scale 0.5), right-padded sources with lengths from 1 to T_x (the first example's is
    T_x), teacher-forced decoder inputs and targets with some padding, and its mask."""
    V_src, V_tgt, n_e, n_a, m, T_x, T_y = shape
    rng = np.random.default_rng(seed)
    gru = {name: randn(rng, n_a, n_a + n_e) if name[0] == "W" else randn(rng, n_a, 1) for name in S.GRU_WEIGHTS}
    parameters = {"E_src": randn(rng, n_e, V_src), "E_tgt": randn(rng, n_e, V_tgt),
                  "encoder": gru, "decoder": {**{k: v + randn(rng, *v.shape) for k, v in gru.items()},
                                              "Wy": randn(rng, V_tgt, n_a, scale=2.0), "by": randn(rng, V_tgt, 1)}}
    lengths = rng.integers(1, T_x + 1, size=m)
    lengths[0] = T_x
    source = rng.integers(3, V_src, size=(m, T_x)) if V_src > 3 else np.full((m, T_x), 3)
    source[np.arange(T_x) >= lengths[:, None]] = S.PAD
    targets = rng.integers(2, V_tgt, size=(m, T_y))
    mask = np.ones((m, T_y))
    if m > 1:
        mask[-1, T_y // 2 + 1:] = 0  # the last example's target is shorter
    targets[mask == 0] = 0
    target_in = np.concatenate([np.ones((m, 1), dtype=int), targets[:, :-1]], axis=1)
    return parameters, source, lengths, target_in, targets, mask


def _t(array, grad=False):
    return torch.tensor(array, dtype=torch.float64, requires_grad=grad)


@needs_torch
def test_embedding_matches_torch():
    """Does embedding_forward equal torch.nn.Embedding (weight = E^T), and embedding_backward its gradient,
    repeated ids included?"""
    rng = np.random.default_rng(1)
    E, ids, de = randn(rng, 3, 5), np.array([[0, 4, 4, 2], [4, 1, 0, 4]]), randn(rng, 3, 2, 4)
    module = torch.nn.Embedding(5, 3).double()
    with torch.no_grad():
        module.weight.copy_(_t(E.T))
    out = module(torch.tensor(ids))  # (m, T, n_e)
    (out * _t(de.transpose(1, 2, 0))).sum().backward()
    e, cache = R.embedding_forward(ids, E)
    np.testing.assert_allclose(e, out.detach().numpy().transpose(2, 0, 1), rtol=0, atol=ATOL)
    np.testing.assert_allclose(R.embedding_backward(de, cache)["dE"], module.weight.grad.numpy().T, rtol=0, atol=ATOL)


@needs_torch
def test_masked_cross_entropy_matches_torch():
    """Are masked_cross_entropy and its backward torch's cross_entropy with ignore_index, value and gradient?"""
    rng = np.random.default_rng(2)
    n_y, m, T = 5, 3, 4
    z = randn(rng, n_y, m, T, scale=2.0)
    targets = rng.integers(0, n_y, size=(m, T))
    mask = np.ones((m, T))
    mask[1, 2:] = 0
    mask[2, 1:] = 0
    logits = _t(z.transpose(1, 0, 2), grad=True)  # (m, n_y, T), classes on axis 1 as torch wants them
    ignored = torch.tensor(np.where(mask == 1, targets, -100))
    loss = F.cross_entropy(logits, ignored, ignore_index=-100, reduction="mean")
    loss.backward()
    y_pred = R.softmax(z)
    assert R.masked_cross_entropy(y_pred, targets, mask) == pytest.approx(loss.item(), rel=0, abs=ATOL)
    dz = R.masked_cross_entropy_backward(y_pred, targets, mask)
    np.testing.assert_allclose(dz, logits.grad.numpy().transpose(1, 0, 2), rtol=0, atol=ATOL)
    assert np.all(dz[:, mask == 0] == 0)


@needs_torch
@pytest.mark.parametrize("shape", CASES)
def test_seq2seq_matches_torch(shape):
    """Do seq2seq_forward's outputs and seq2seq_backward's gradients equal those of the same encoder-decoder in
    torch ops, through autograd (the context taken at each example's own length)?"""
    parameters, source, lengths, target_in, targets, mask = case(shape)
    m = source.shape[0]
    P = {key: ({k: _t(v, grad=True) for k, v in value.items()} if isinstance(value, dict) else _t(value, grad=True))
         for key, value in parameters.items()}
    a_enc = torch_gold.gru_states(P["E_src"][:, torch.tensor(source)], torch.zeros(P["encoder"]["Wu"].shape[0], m,
                                                                        dtype=torch.float64), P["encoder"])
    context = a_enc[:, torch.arange(m), torch.tensor(lengths - 1)]
    a_dec = torch_gold.gru_states(P["E_tgt"][:, torch.tensor(target_in)], context, P["decoder"])
    z = torch.einsum("ya,amt->ymt", P["decoder"]["Wy"], a_dec) + P["decoder"]["by"][:, :, None]
    loss = F.cross_entropy(z.permute(1, 0, 2), torch.tensor(np.where(mask == 1, targets, -100)), ignore_index=-100)
    loss.backward()

    y_pred, cache = R.seq2seq_forward(source, lengths, target_in, parameters)
    np.testing.assert_allclose(y_pred, torch.softmax(z, dim=0).detach().numpy(), rtol=0, atol=ATOL)
    assert R.masked_cross_entropy(y_pred, targets, mask) == pytest.approx(loss.item(), rel=0, abs=ATOL)
    grads = R.seq2seq_backward(R.masked_cross_entropy_backward(y_pred, targets, mask), cache)
    gold = {"dE_src": P["E_src"].grad, "dE_tgt": P["E_tgt"].grad,
            "encoder": {"d" + k: v.grad for k, v in P["encoder"].items()},
            "decoder": {"d" + k: v.grad for k, v in P["decoder"].items()}}
    assert grads.keys() == gold.keys()
    for part in ("encoder", "decoder"):
        assert grads[part].keys() == gold[part].keys(), part
        for key in gold[part]:
            np.testing.assert_allclose(grads[part][key], gold[part][key].numpy(), rtol=0, atol=ATOL, err_msg=key)
    for key in ("dE_src", "dE_tgt"):
        np.testing.assert_allclose(grads[key], gold[key].numpy(), rtol=0, atol=ATOL, err_msg=key)


@pytest.mark.parametrize("shape", CASES)
def test_seq2seq_backward_gradient_check(shape):
    """Does seq2seq_backward give the centred-difference gradient of masked_cross_entropy(seq2seq_forward)?"""
    parameters, source, lengths, target_in, targets, mask = case(shape, seed=3)
    flat = R.flatten_parameters(parameters)

    def loss(inputs):
        y_pred, _ = R.seq2seq_forward(source, lengths, target_in, R.unflatten_parameters(inputs))
        return R.masked_cross_entropy(y_pred, targets, mask)

    y_pred, cache = R.seq2seq_forward(source, lengths, target_in, parameters)
    check_gradients(loss, flat, R.seq2seq_backward(R.masked_cross_entropy_backward(y_pred, targets, mask), cache))


def test_padding_after_the_end_changes_nothing():
    """Does a different padding after each source's end leave y_pred unchanged (the context is at each length)?"""
    parameters, source, lengths, target_in, _, _ = case((7, 6, 3, 4, 3, 5, 4), seed=4)
    other = source.copy()
    other[np.arange(source.shape[1]) >= lengths[:, None]] = 5
    y_pred, _ = R.seq2seq_forward(source, lengths, target_in, parameters)
    np.testing.assert_array_equal(R.seq2seq_forward(other, lengths, target_in, parameters)[0], y_pred)


def test_greedy_decode_feeds_back_and_stops_at_end():
    """Is greedy_decode the argmax fed back step by step (checked against teacher forcing on its own output),
    with PAD after END?"""
    parameters, source, lengths, _, _, _ = case((7, 6, 3, 4, 3, 5, 4), seed=5)
    parameters["decoder"]["by"][S.END] += 1.0  # END likely enough to be written by some rows
    tokens = R.greedy_decode(source, lengths, parameters, 8)
    assert tokens.shape == (3, 8) and tokens.dtype.kind == "i"
    for i in range(3):
        row = list(tokens[i])
        n = row.index(S.END) + 1 if S.END in row else 8
        assert all(token == S.PAD for token in row[n:])
        target_in = np.array([[S.START] + row[:n - 1]])
        y_pred, _ = R.seq2seq_forward(source[i:i + 1], lengths[i:i + 1], target_in, parameters)
        np.testing.assert_array_equal(np.argmax(y_pred[:, 0], axis=0), row[:n])


def test_flatten_round_trip():
    """Do flatten_parameters and unflatten_parameters invert each other, and do flatten_gradients' keys name
    the flat parameters ("d" + name), as rnn_ref.optimizers want them?"""
    parameters = R.initialize_seq2seq(6, 5, 3, 4, seed=1)
    flat = R.flatten_parameters(parameters)
    back = R.unflatten_parameters(flat)
    assert back.keys() == parameters.keys()
    assert all(back["decoder"][k] is parameters["decoder"][k] for k in parameters["decoder"])
    assert "Wy" not in parameters["encoder"] and parameters["decoder"]["Wy"].shape == (5, 4)
    parameters2, source, lengths, target_in, targets, mask = case((6, 5, 3, 4, 2, 3, 3))
    y_pred, cache = R.seq2seq_forward(source, lengths, target_in, parameters2)
    grads = R.flatten_gradients(R.seq2seq_backward(R.masked_cross_entropy_backward(y_pred, targets, mask), cache))
    assert set(grads) == {"d" + name for name in R.flatten_parameters(parameters2)}


def test_gru_forward_without_an_output_layer():
    """Does gru_forward on a parameter dict without Wy (an encoder) return y_pred None and the same states?"""
    rng = np.random.default_rng(6)
    parameters = R.initialize_gru(3, 4, 2, seed=2)
    x, a0 = randn(rng, 3, 2, 5), randn(rng, 4, 2)
    a, y_pred, _ = R.gru_forward(x, a0, parameters)
    a_enc, none, _ = R.gru_forward(x, a0, {k: v for k, v in parameters.items() if k not in ("Wy", "by")})
    assert none is None and y_pred.shape == (2, 2, 5)
    np.testing.assert_array_equal(a_enc, a)
