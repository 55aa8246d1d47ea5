"""A character-level language model with the vanilla RNN: one training step, and sampling new text.

Dimensions: n_x = n_y = the number of characters in the vocabulary (inputs and targets are one-hot), n_a hidden
units, m sequences, T time steps. Parameters as for rnn_ref.rnn: Wax, Waa, Wya, ba, by.

- rnn_training_step: forward from a0 = 0, the cross-entropy summed over time, the gradients, clipping by
  global norm, and one step of plain gradient descent. It is train_step("rnn", ..., SGD(learning_rate),
  clip_norm) written out.
- sample: generate characters one at a time, feeding each sampled character back as the next input, from
  softmax(z / temperature). The random draws are rng.choice(n_y, p=p) per step, from
  np.random.default_rng(seed), so a given seed gives one sequence.
"""
import numpy as np

from .activations import softmax
from .gradients import clip_by_norm
from .loss import output_layer_backward, sequence_cross_entropy, sequence_cross_entropy_backward
from .rnn import rnn_backward, rnn_forward, rnn_step_forward

WEIGHTS = ("Wax", "Waa", "Wya", "ba", "by")


def rnn_training_step(parameters, x, y, learning_rate, clip_norm=5.0):
    """One step of gradient descent for the vanilla RNN on one batch.

    Inputs:
    - parameters: Wax (n_a, n_x), Waa (n_a, n_a), Wya (n_y, n_a), ba (n_a, 1), by (n_y, 1); left unchanged
    - x: one-hot inputs, (n_x, m, T); y: one-hot targets, (n_y, m, T)
    - learning_rate: positive float
    - clip_norm: the gradients of the five weights are scaled together to a global L2 norm of at most this

    Returns:
    - new_parameters: a new dict, W - learning_rate * dW (clipped) for each of the five weights
    - loss: float, sequence_cross_entropy before the update
    """
    n_a, m = parameters["Waa"].shape[0], x.shape[1]
    a, y_pred, caches = rnn_forward(x, np.zeros((n_a, m)), parameters)
    loss = sequence_cross_entropy(y_pred, y)
    output_grads = output_layer_backward(sequence_cross_entropy_backward(y_pred, y), a, parameters)
    hidden_grads = rnn_backward(output_grads["da"], caches)
    gradients = {"d" + name: {**hidden_grads, **output_grads}["d" + name] for name in WEIGHTS}
    gradients = clip_by_norm(gradients, clip_norm)
    new_parameters = {name: parameters[name] - learning_rate * gradients["d" + name] for name in WEIGHTS}
    return new_parameters, loss


def sample(parameters, seed_ix, n_chars, temperature=1.0, seed=0):
    """Generate n_chars character indices with the vanilla RNN, one at a time.

    Inputs:
    - parameters: as for rnn_training_step (n_x = n_y)
    - seed_ix: index of the first input character
    - n_chars: how many characters to generate
    - temperature: positive float; the next character is drawn from softmax(z / temperature), z = Wya a<t> + by
    - seed: seed of np.random.default_rng, which makes one draw rng.choice(n_y, p=p) per character

    Returns:
    - indices: list of n_chars ints (the seed character not included)

    Notes
    -----
    a<0> = 0, x<1> = one-hot(seed_ix). At each step t: a<t> = tanh(Waa a<t-1> + Wax x<t> + ba), draw i from
    softmax((Wya a<t> + by) / temperature), then x<t+1> = one-hot(i).
    """
    rng = np.random.default_rng(seed)
    n_x, n_a, n_y = parameters["Wax"].shape[1], parameters["Waa"].shape[0], parameters["by"].shape[0]
    a = np.zeros((n_a, 1))
    x = np.zeros((n_x, 1))
    x[seed_ix] = 1.0
    indices = []
    for _ in range(n_chars):
        a, _ = rnn_step_forward(x, a, parameters)
        p = softmax((parameters["Wya"] @ a + parameters["by"]) / temperature)
        ix = int(rng.choice(n_y, p=p.ravel()))
        indices.append(ix)
        x = np.zeros((n_x, 1))
        x[ix] = 1.0
    return indices
