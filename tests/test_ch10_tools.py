"""Chapter 10's read-only training tools (not graded, so no test cell checks them): the softmax output layer on
the gated cells, the state carried from one window to the next, the streams of consecutive windows, and the
held-out measure. They run in a namespace made from the chapter's setup and read-only cells, as in the notebook."""
import numpy as np
import pytest

import rnn_ref as R
from notebooks import grade_id, source_notebook

TOOLS = ["setup", "earlier_chapters", "earlier_gated", "training_tools", "adding_helpers", "char_tools"]


@pytest.fixture(scope="module")
def tools():
    """The names the chapter's setup and tool cells define, executed in order as the notebook runs them."""
    cells = {grade_id(cell): cell.source for cell in source_notebook("ch10_training").cells}
    namespace = {}
    for name in TOOLS:
        exec(compile(cells[name], f"<ch10 {name}>", "exec"), namespace)
    return namespace


def parameters_of(model, n_x, n_a, n_y, seed):
    """rnn_ref's initial parameters with non-zero biases, so that every bias gradient is exercised."""
    rng = np.random.default_rng(seed)
    initialize = {"rnn": R.initialize_rnn, "gru": R.initialize_gru, "lstm": R.initialize_lstm}[model]
    return {name: value + 0.1 * rng.standard_normal(value.shape) for name, value in
            initialize(n_x, n_a, n_y, seed=seed).items()}


def one_hot_batch(rng, k, m, T):
    """Random one-hot inputs and targets, (k, m, T) each."""
    return np.eye(k)[:, rng.integers(0, k, (m, T))], np.eye(k)[:, rng.integers(0, k, (m, T))]


@pytest.mark.parametrize("model", ["rnn", "gru", "lstm"])
def test_ch10_cross_entropy_gradients_match_rnn_ref(tools, model):
    """Does the chapter's loss_and_gradients, with its softmax output on any cell, give rnn_ref's loss and gradients?"""
    rng = np.random.default_rng(3)
    parameters = parameters_of(model, 5, 4, 5, seed=3)
    x, y = one_hot_batch(rng, 5, 3, 6)
    value, gradients, _ = tools["loss_and_gradients"](model, parameters, x, y)
    expected_value, expected = R.loss_and_gradients(model, parameters, x, y)
    assert np.isclose(value, expected_value, rtol=1e-10)
    assert sorted(gradients) == sorted(expected)
    for name in expected:
        np.testing.assert_allclose(gradients[name], expected[name], rtol=1e-8, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("model", ["rnn", "gru", "lstm"])
def test_ch10_carried_state_continues_the_sequence(tools, model):
    """Does a window started from the final state of the window before it (a and, for the LSTM, c) give the same
    outputs as reading both windows in one pass, and a window started from zeros different ones?"""
    rng = np.random.default_rng(4)
    parameters = parameters_of(model, 5, 4, 5, seed=4)
    x, y = one_hot_batch(rng, 5, 2, 9)
    _, whole, _, _ = tools["run_forward"](model, parameters, x)
    _, first, _, state = tools["run_forward"](model, parameters, x[:, :, :4])
    _, second, _, _ = tools["run_forward"](model, parameters, x[:, :, 4:], state)
    np.testing.assert_allclose(np.concatenate([first, second], axis=2), whole, rtol=1e-12)
    _, cold, _, _ = tools["run_forward"](model, parameters, x[:, :, 4:])
    assert not np.allclose(cold[:, :, 0], whole[:, :, 4])
    value, _, final = tools["loss_and_gradients"](model, parameters, x[:, :, 4:], y[:, :, 4:], state=state)
    assert np.isclose(value, R.sequence_cross_entropy(whole[:, :, 4:], y[:, :, 4:]), rtol=1e-12)
    _, _, _, expected_final = tools["run_forward"](model, parameters, x)
    np.testing.assert_allclose(np.array(final), np.array(expected_final), rtol=1e-12)  # a, or the pair (a, c)


def test_ch10_consecutive_windows_continue_each_stream(tools):
    """Does each batch of consecutive_windows start every stream where the batch before ended, with streams
    spread over the text and positions wrapping at its end?"""
    data = np.arange(20) % 7
    next_batch = tools["consecutive_windows"](data, 7, 4, 3)
    batches = [next_batch() for _ in range(3)]
    indices = [(x.argmax(axis=0), y.argmax(axis=0)) for x, y in batches]  # (m, T) each
    starts = np.arange(4) * 5
    for k, (inputs, targets) in enumerate(indices):
        positions = (starts[:, None] + 3 * k + np.arange(3)) % 20
        np.testing.assert_array_equal(inputs, data[positions])
        np.testing.assert_array_equal(targets, data[(positions + 1) % 20])
    np.testing.assert_array_equal(indices[1][0][:, 0], indices[0][1][:, -1])  # the next input: the last target


def test_ch10_train_carries_the_state_only_when_asked(tools):
    """Does train with carry=True start each batch from the final state of the one before, and carry=False from
    zeros? (Checked by the losses: the same batch twice gives a different loss when the state is carried.)"""
    rng = np.random.default_rng(5)
    parameters = parameters_of("rnn", 4, 3, 4, seed=5)
    x, y = one_hot_batch(rng, 4, 2, 5)
    small = dict(steps=2, learning_rate=1e-12, clip_norm=5.0)  # a step too small to change the loss visibly
    _, cold = tools["train"]("rnn", parameters, lambda: (x, y), **small)
    _, warm = tools["train"]("rnn", parameters, lambda: (x, y), carry=True, **small)
    _, y_pred, _, state = tools["run_forward"]("rnn", parameters, x)
    _, y_again, _, _ = tools["run_forward"]("rnn", parameters, x, state)
    assert np.isclose(cold[1], cold[0], rtol=1e-9) and np.isclose(warm[0], cold[0], rtol=1e-12)
    assert np.isclose(warm[1], R.sequence_cross_entropy(y_again, y), rtol=1e-9)
    assert not np.isclose(warm[1], warm[0], rtol=1e-6)


def test_ch10_held_out_bits_of_the_uniform_guess_is_log2_v(tools):
    """Does held_out_bits give log2 V bits per character for a model whose outputs are uniform (zero output
    weights), and fewer for one that puts more probability on the characters that come?"""
    parameters = parameters_of("gru", 6, 3, 6, seed=6)
    data = np.random.default_rng(6).integers(0, 6, 101)
    uniform = {**parameters, "Wy": np.zeros((6, 3)), "by": np.zeros((6, 1))}
    assert np.isclose(tools["held_out_bits"]("gru", uniform, data, 6, pieces=4), np.log2(6), rtol=1e-12)
    constant = np.zeros(101, dtype=int)
    biased = {**uniform, "by": np.eye(6)[:, :1] * 5.0}  # character 0 gets most of the probability
    assert tools["held_out_bits"]("gru", biased, constant, 6, pieces=4) < 0.1


def test_ch10_equal_budgets(tools):
    """Do count_parameters and hidden_size_for give the cells' true sizes, and the largest n_a within a budget?"""
    for model, initialize in [("rnn", R.initialize_rnn), ("gru", R.initialize_gru), ("lstm", R.initialize_lstm)]:
        assert tools["count_parameters"](model, 7, 5, 7) == sum(v.size for v in initialize(7, 5, 7).values())
        n_a = tools["hidden_size_for"](model, 45, 9965)
        assert tools["count_parameters"](model, 45, n_a, 45) <= 9965 < tools["count_parameters"](model, 45, n_a + 1, 45)
