"""Training with rnn_ref: initialisation, the optimisers, the regression output, the training loop, and tiny
problems that each of the RNN, the GRU and the LSTM must solve (a few seconds in all)."""
import copy

import numpy as np
import pytest

import rnn_ref as R
from test_rnn_ref_helpers import assert_unchanged, call_purely, check_gradients, one_hot, randn

MODELS = ["rnn", "gru", "lstm"]
INITIALIZE = {"rnn": R.initialize_rnn, "gru": R.initialize_gru, "lstm": R.initialize_lstm}


# ---------------------------------------------------------------- tiny problems

def adding_problem(rng, m, T):
    """The adding problem: x<t> = [value; marker], values from U(0, 1), exactly two markers are 1 in each
    sequence; the target is the sum of the two marked values. x (2, m, T), y (1, m).

    Predicting the mean, 1, gives an MSE of Var(U1 + U2) = 2 / 12 = 0.167: the baseline to beat."""
    values = rng.uniform(0.0, 1.0, size=(m, T))
    markers = np.zeros((m, T))
    for i in range(m):
        markers[i, rng.choice(T, size=2, replace=False)] = 1.0
    return np.stack([values, markers]), np.sum(values * markers, axis=1)[np.newaxis]


def echo_problem(rng, k, m, T):
    """Echo the previous symbol: x<t> one-hot of k random symbols, y<t> = x<t-1> (y<1> = symbol 0).
    x, y (k, m, T)."""
    symbols = rng.integers(0, k, size=(m, T))
    previous = np.concatenate([np.zeros((m, 1), dtype=int), symbols[:, :-1]], axis=1)
    return np.eye(k)[:, symbols], np.eye(k)[:, previous]


@pytest.mark.parametrize("model", MODELS)
def test_adding_problem_solved_with_adam(model):
    """Does each model, trained with Adam, bring the adding problem's MSE (T = 5) far below the 0.167 baseline?"""
    rng = np.random.default_rng(0)
    batches = [adding_problem(rng, 32, 5) for _ in range(20)]
    x_test, y_test = adding_problem(np.random.default_rng(1), 1000, 5)
    parameters = INITIALIZE[model](2, 16, 1, seed=0)
    trained, history = R.train(model, parameters, batches, R.Adam(0.01), epochs=25, loss="mse", progress=False)
    mse = R.mean_squared_error(R.predict(model, trained, x_test, loss="mse"), y_test)
    assert mse < 0.01, f"{model}: test MSE {mse:.4f} after training, the baseline is 0.167"
    assert history["epoch_loss"][-1] < 0.1 * history["epoch_loss"][0]


@pytest.mark.parametrize("model", MODELS)
def test_echo_problem_solved_with_sgd_momentum(model):
    """Does each model, trained with SGD and momentum, echo the previous symbol on new sequences, every time?"""
    rng = np.random.default_rng(0)
    batches = [echo_problem(rng, 3, 32, 6) for _ in range(10)]
    x_test, y_test = echo_problem(np.random.default_rng(1), 3, 500, 6)
    parameters = INITIALIZE[model](3, 8, 3, seed=0)
    trained, _ = R.train(model, parameters, batches, R.SGD(0.1, momentum=0.9), epochs=20, clip_norm=5.0,
                         progress=False)
    y_pred = R.predict(model, trained, x_test)
    accuracy = np.mean(y_pred.argmax(axis=0) == y_test.argmax(axis=0))
    assert accuracy == 1.0, f"{model}: accuracy {accuracy:.4f} on new sequences"


# ---------------------------------------------------------------- initialisation

EXPECTED_SHAPES = {
    "rnn": {"Wax": (5, 3), "Waa": (5, 5), "Wya": (2, 5), "ba": (5, 1), "by": (2, 1)},
    "gru": {**{"W" + g: (5, 8) for g in "urc"}, **{"b" + g: (5, 1) for g in "urc"}, "Wy": (2, 5), "by": (2, 1)},
    "lstm": {**{"W" + g: (5, 8) for g in "fuco"}, **{"b" + g: (5, 1) for g in "fuco"}, "Wy": (2, 5),
             "by": (2, 1)},
}


@pytest.mark.parametrize("model", MODELS)
def test_initialize_keys_shapes_and_seed(model):
    """Do initialize_* (n_x=3, n_a=5, n_y=2) give the API's names and shapes in float64, the same for one seed?"""
    parameters = INITIALIZE[model](3, 5, 2)
    assert {k: v.shape for k, v in parameters.items()} == EXPECTED_SHAPES[model]
    assert all(v.dtype == np.float64 for v in parameters.values())
    assert_unchanged(parameters, INITIALIZE[model](3, 5, 2, seed=0), "the same seed")
    other = INITIALIZE[model](3, 5, 2, seed=1)
    assert not np.array_equal(parameters["Wy" if model != "rnn" else "Wya"], other["Wy" if model != "rnn" else "Wya"])


@pytest.mark.parametrize("model", MODELS)
def test_initialize_biases(model):
    """Are the biases zero, except the LSTM's forget-gate bias bf = 1?"""
    parameters = INITIALIZE[model](3, 5, 2)
    for name, value in parameters.items():
        if name.startswith("b"):
            assert np.all(value == (1.0 if name == "bf" else 0.0)), name


@pytest.mark.parametrize("model", MODELS)
def test_initialize_recurrent_weights_orthogonal(model):
    """Is the part of each weight acting on a<t-1> (Waa, or the first n_a columns of a gate's W) orthogonal?"""
    n_a = 6
    parameters = INITIALIZE[model](4, n_a, 3, seed=2)
    recurrent = {"Waa": parameters["Waa"]} if model == "rnn" else {
        name: W[:, :n_a] for name, W in parameters.items() if name.startswith("W") and name != "Wy"}
    for name, U in recurrent.items():
        np.testing.assert_allclose(U.T @ U, np.eye(n_a), atol=1e-12, err_msg=name)


def test_initialize_input_weights_glorot_statistics():
    """Do the input and output weights follow U(-r, r), r = sqrt(6 / (fan_in + fan_out)): in range, mean 0,
    variance r^2 / 3 = 2 / (fan_in + fan_out)?"""
    n_x, n_a, n_y = 300, 100, 100
    parameters = R.initialize_lstm(n_x, n_a, n_y, seed=3)
    for name, W, fan_in, fan_out in [("Wf[:, n_a:]", parameters["Wf"][:, n_a:], n_x, n_a),
                                     ("Wy", parameters["Wy"], n_a, n_y)]:
        r = np.sqrt(6.0 / (fan_in + fan_out))
        assert np.all(np.abs(W) <= r), name
        assert abs(W.mean()) < 0.03 * r, name
        assert W.var() == pytest.approx(2.0 / (fan_in + fan_out), rel=0.05), name


# ---------------------------------------------------------------- optimisers, by hand

W0 = {"W": np.array([1.0, 2.0])}
G1 = {"dW": np.array([0.5, -1.0])}
G2 = {"dW": np.array([1.0, 1.0])}


def test_sgd_momentum_by_hand():
    """Does SGD(0.1, momentum=0.9) follow v = 0.9 v + g, W = W - 0.1 v, over two steps?"""
    sgd = R.SGD(0.1, momentum=0.9)
    W1 = sgd.step(W0, G1)
    # v = [0.5, -1]  ->  W = [1 - 0.05, 2 + 0.1]
    np.testing.assert_allclose(W1["W"], [0.95, 2.1], rtol=1e-15)
    W2 = sgd.step(W1, G2)
    # v = 0.9 [0.5, -1] + [1, 1] = [1.45, 0.1]  ->  W = [0.95 - 0.145, 2.1 - 0.01]
    np.testing.assert_allclose(W2["W"], [0.805, 2.09], rtol=1e-15)


def test_sgd_without_momentum_is_gradient_descent():
    """Is SGD(0.1) plain W - 0.1 g at every step (no memory of the previous gradient)?"""
    sgd = R.SGD(0.1)
    W1 = sgd.step(W0, G1)
    np.testing.assert_allclose(sgd.step(W1, G2)["W"], [0.95 - 0.1, 2.1 - 0.1], rtol=1e-15)


def test_adam_by_hand():
    """Does Adam(0.1) follow m, v, their bias corrections and W - lr m_hat / (sqrt(v_hat) + eps), two steps?"""
    adam = R.Adam(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    W1 = adam.step(W0, G1)
    # m = 0.1 g = [0.05, -0.1], v = 0.001 g^2 = [0.00025, 0.001]; m_hat = m / 0.1 = g, v_hat = v / 0.001 = g^2:
    # the first step is lr * g / (|g| + eps), about lr * sign(g)
    np.testing.assert_allclose(W1["W"], [1.0 - 0.1 * 0.5 / (0.5 + 1e-8), 2.0 + 0.1 * 1.0 / (1.0 + 1e-8)],
                               rtol=1e-15)
    W2 = adam.step(W1, G2)
    m = np.array([0.9 * 0.05 + 0.1 * 1.0, 0.9 * -0.1 + 0.1 * 1.0])  # [0.145, 0.01]
    v = np.array([0.999 * 0.00025 + 0.001 * 1.0, 0.999 * 0.001 + 0.001 * 1.0])  # [0.00124975, 0.001999]
    m_hat, v_hat = m / (1 - 0.9 ** 2), v / (1 - 0.999 ** 2)  # [0.76316, 0.05263], [0.62519, 1.0]
    np.testing.assert_allclose(W2["W"], W1["W"] - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8), rtol=1e-14)
    np.testing.assert_allclose(W2["W"], [0.803482, 2.094737], atol=1e-6)  # the same, worked to 6 places


def test_optimizers_agree_with_torch():
    """Do SGD with momentum and Adam give torch.optim's parameters over five steps of random gradients?"""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    W = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal((3, 1))}
    grads = [{"d" + k: rng.standard_normal(v.shape) for k, v in W.items()} for _ in range(5)]
    for ours, theirs in [(R.SGD(0.05, momentum=0.8), lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8)),
                         (R.Adam(0.05, beta1=0.8, beta2=0.99, eps=1e-6),
                          lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-6))]:
        tensors = {k: torch.tensor(v, requires_grad=True) for k, v in W.items()}
        optimizer, params = theirs(list(tensors.values())), W
        for g in grads:
            params = ours.step(params, g)
            for k, t in tensors.items():
                t.grad = torch.tensor(g["d" + k])
            optimizer.step()
        for k in W:
            np.testing.assert_allclose(params[k], tensors[k].detach().numpy(), rtol=1e-12, err_msg=f"{ours} {k}")


@pytest.mark.parametrize("optimizer", [R.SGD(0.1, momentum=0.9), R.Adam(0.1)], ids=["SGD", "Adam"])
def test_optimizer_step_is_pure(optimizer):
    """Does step leave parameters and gradients unchanged, return new arrays, and keep no alias of the
    caller's gradients (changing them after the step does not change the next step)?"""
    W1 = call_purely(optimizer.step, W0, G1)
    assert not any(np.shares_memory(W1["W"], a) for a in (W0["W"], G1["dW"]))
    twin = copy.deepcopy(optimizer)
    g = copy.deepcopy(G2)
    expected = twin.step(W1, g)
    g["dW"][:] = 100.0  # the caller reuses its gradient array
    assert_unchanged(expected["W"], optimizer.step(W1, G2)["W"], "the second step")


def test_optimizer_names_a_missing_gradient():
    """Does a missing gradient raise a KeyError that names it?"""
    with pytest.raises(KeyError, match="dWaa"):
        R.SGD(0.1).step({"Waa": np.ones((2, 2))}, {"dWax": np.ones((2, 2))})


# ---------------------------------------------------------------- regression output and the loss's gradients

def test_mean_squared_error_by_hand():
    """Is the MSE of [[1, 2], [3, 5]] against [[1, 0], [3, 3]] (0 + 4 + 0 + 4) / 4 = 2, its gradient 2 e / 4?"""
    y_hat, y = np.array([[1.0, 2.0], [3.0, 5.0]]), np.array([[1.0, 0.0], [3.0, 3.0]])
    assert R.mean_squared_error(y_hat, y) == 2.0
    np.testing.assert_array_equal(R.mean_squared_error_backward(y_hat, y), [[0.0, 1.0], [0.0, 1.0]])


@pytest.mark.parametrize("weights", ["Wya", "Wy"])
def test_last_step_output_backward(weights):
    """Does last_step_output_backward give dW, dby, da of sum(dy * (W a<T> + by)), da zero before T?"""
    rng = np.random.default_rng(5)
    inputs = {"a": randn(rng, 4, 3, 5), weights: randn(rng, 2, 4), "by": randn(rng, 2, 1)}
    dy = randn(rng, 2, 3, scale=1.0)
    grads = R.last_step_output_backward(dy, inputs["a"], inputs)
    check_gradients(lambda p: np.sum(dy * R.last_step_output_forward(p["a"], p)), inputs, grads)
    assert np.all(grads["da"][:, :, :-1] == 0.0)


@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
@pytest.mark.parametrize("model", MODELS)
def test_loss_and_gradients(model, loss):
    """Does loss_and_gradients give the gradient of the loss in every parameter, and nothing else?"""
    rng = np.random.default_rng(6)
    n_x, n_a, n_y, m, T = 3, 4, 2, 3, 4
    parameters = {k: v + randn(rng, *v.shape, scale=0.1) for k, v in INITIALIZE[model](n_x, n_a, n_y).items()}
    x = randn(rng, n_x, m, T, scale=1.0)
    y = one_hot(rng, n_y, m, T) if loss == "cross_entropy" else randn(rng, n_y, m, scale=1.0)
    value, grads = R.loss_and_gradients(model, parameters, x, y, loss)
    assert value == R.loss_and_gradients(model, parameters, x, y, loss)[0]
    check_gradients(lambda p: R.loss_and_gradients(model, p, x, y, loss)[0], parameters, grads)


# ---------------------------------------------------------------- the training loop

def small_run(progress=False, **kwargs):
    rng = np.random.default_rng(7)
    batches = [adding_problem(rng, 8, 4) for _ in range(3)]
    parameters = R.initialize_gru(2, 4, 1)
    return batches, parameters, R.train("gru", parameters, batches, R.Adam(0.01), epochs=2, loss="mse",
                                        progress=progress, **kwargs)


def test_train_records_history_and_leaves_inputs_alone():
    """Does train keep one loss per batch and the mean of each epoch, and leave parameters and batches alone?"""
    batches, parameters, _ = small_run()
    saved = copy.deepcopy((batches, parameters))
    trained, history = R.train("gru", parameters, batches, R.Adam(0.01), epochs=2, loss="mse", progress=False)
    assert_unchanged(saved, (batches, parameters), "train's argument")
    assert len(history["loss"]) == 6 and len(history["epoch_loss"]) == 2
    assert history["epoch_loss"] == pytest.approx([np.mean(history["loss"][:3]), np.mean(history["loss"][3:])])
    # the first recorded loss is the initial parameters' loss on the first batch
    assert history["loss"][0] == R.loss_and_gradients("gru", parameters, *batches[0], loss="mse")[0]
    assert trained.keys() == parameters.keys()


def test_train_step_is_one_clipped_update():
    """Is train_step with SGD(lr) and clip_norm one step W - lr * clipped gradient?"""
    batches, parameters, _ = small_run()
    x, y = batches[0]
    _, grads = R.loss_and_gradients("gru", parameters, x, y, "mse")
    clipped = R.clip_by_norm(grads, 1e-3)
    new, value = R.train_step("gru", parameters, x, y, R.SGD(0.5), loss="mse", clip_norm=1e-3)
    for name in parameters:
        np.testing.assert_allclose(new[name], parameters[name] - 0.5 * clipped["d" + name], rtol=1e-14, atol=1e-17)


def test_progress_bar():
    """Does progress=True draw a tqdm bar (on stderr, outside a notebook), and progress=False nothing? Run in a
    fresh Python, as from a terminal: tqdm.auto chooses its bar once per process, and other tests' notebook
    code in this one may have made it choose the notebook's."""
    import subprocess
    import sys

    from autograder.course import REPO, tool_env

    def stderr(progress):
        code = ("import sys; sys.path.insert(0, 'tests'); import test_training as t; "
                f"t.small_run(progress={progress})")
        proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=tool_env(), capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return proc.stderr

    assert "6/6" in stderr(True)
    assert stderr(False) == ""


def test_train_with_a_model_object():
    """Does train accept a Model bundling its own forward and backward (here the LSTM's)?"""
    rng = np.random.default_rng(8)
    batches = [echo_problem(rng, 3, 8, 4)]
    model = R.Model(R.lstm_forward, R.lstm_backward, name="my lstm")
    parameters = R.initialize_lstm(3, 4, 3)
    trained, history = R.train(model, parameters, batches, R.SGD(0.1), epochs=3, progress=False)
    assert len(history["loss"]) == 3 and history["loss"][-1] < history["loss"][0]


def test_unknown_model_or_loss_or_no_batches():
    """Do an unknown model name, an unknown loss and an empty list of batches raise a clear ValueError?"""
    batches, parameters, _ = small_run()
    with pytest.raises(ValueError, match="rnn"):
        R.train("transformer", parameters, batches, R.SGD(0.1), progress=False)
    with pytest.raises(ValueError, match="cross_entropy"):
        R.train("gru", parameters, batches, R.SGD(0.1), loss="hinge", progress=False)
    with pytest.raises(ValueError, match="at least one"):
        R.train("gru", parameters, [], R.SGD(0.1), progress=False)
