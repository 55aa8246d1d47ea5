"""rnn_ref: the course's reference implementation of recurrent neural networks in NumPy.

Every graded exercise of the course has the name and signature of a function here. Modules, one per concept:

- activations: sigmoid, tanh, relu, softmax and their derivatives
- rnn: the vanilla RNN cell, the unrolled sequence, backpropagation through time
- loss: cross-entropy summed over time, its gradient, and the output layer's backward pass
- gradients: clipping (element-wise and by global norm), numerical gradient check, relative error
- gates: one gate Gamma = sigmoid(W x<t> + U a<t-1> + b), and the memory cell that gates write to and erase
- gru: the gated recurrent unit in the CS 230 cheatsheet's form
- lstm: the standard LSTM (as in torch.nn.LSTM)
- variants: bidirectional and deep RNNs built from the vanilla cell
- over_time: products over all the time steps at once (outputs, gradients of the shared weights)
- initialization: initial parameters for training (Glorot, orthogonal, LSTM forget bias 1)
- optimizers: SGD (with momentum) and Adam
- regression: a linear output on the last step and the mean squared error (many-to-one)
- training: the loss and its gradients on a batch, one update, the training loop with a progress bar
- seq2seq: embeddings, the cross-entropy over unpadded tokens, an encoder-decoder of two GRUs, greedy decoding

Conventions: column vectors, examples side by side: xt (n_x, m), a (n_a, m), x (n_x, m, T_x); float64;
pure functions. Everything is importable from the top: `import rnn_ref as R; R.lstm_forward(...)`.
"""
from .activations import relu, relu_derivative, sigmoid, sigmoid_derivative, softmax, tanh, tanh_derivative
from .gates import gate_forward, memory_cell_forward, memory_cell_step
from .gradients import clip, clip_by_norm, gradient_check, numerical_gradient, rel_error
from .gru import gru_backward, gru_cell_backward, gru_cell_forward, gru_forward
from .loss import output_layer_backward, sequence_cross_entropy, sequence_cross_entropy_backward
from .lstm import lstm_backward, lstm_cell_backward, lstm_cell_forward, lstm_forward
from .rnn import rnn_backward, rnn_cell_backward, rnn_cell_forward, rnn_forward, rnn_step_forward
from .variants import birnn_backward, birnn_forward, deep_rnn_backward, deep_rnn_forward
from .initialization import initialize_gru, initialize_lstm, initialize_rnn
from .optimizers import SGD, Adam
from .regression import (last_step_output_backward, last_step_output_forward, mean_squared_error,
                         mean_squared_error_backward)
from .training import Model, loss_and_gradients, predict, train, train_step
from .seq2seq import (embedding_backward, embedding_forward, flatten_gradients, flatten_parameters, greedy_decode,
                      initialize_seq2seq, masked_cross_entropy, masked_cross_entropy_backward, seq2seq_backward,
                      seq2seq_forward, unflatten_parameters)

__all__ = [
    # activations
    "sigmoid", "sigmoid_derivative", "tanh", "tanh_derivative", "relu", "relu_derivative", "softmax",
    # vanilla RNN
    "rnn_step_forward", "rnn_cell_forward", "rnn_cell_backward", "rnn_forward", "rnn_backward",
    # loss over time
    "sequence_cross_entropy", "sequence_cross_entropy_backward", "output_layer_backward",
    # gradient tools
    "clip", "clip_by_norm", "numerical_gradient", "rel_error", "gradient_check",
    # gates and the memory cell
    "gate_forward", "memory_cell_step", "memory_cell_forward",
    # GRU and LSTM
    "gru_cell_forward", "gru_cell_backward", "gru_forward", "gru_backward",
    "lstm_cell_forward", "lstm_cell_backward", "lstm_forward", "lstm_backward",
    # variants
    "birnn_forward", "birnn_backward", "deep_rnn_forward", "deep_rnn_backward",
    # training
    "initialize_rnn", "initialize_gru", "initialize_lstm", "SGD", "Adam",
    "last_step_output_forward", "last_step_output_backward", "mean_squared_error", "mean_squared_error_backward",
    "Model", "loss_and_gradients", "train_step", "train", "predict",
    # sequence to sequence
    "embedding_forward", "embedding_backward", "masked_cross_entropy", "masked_cross_entropy_backward",
    "seq2seq_forward", "seq2seq_backward", "greedy_decode", "initialize_seq2seq",
    "flatten_parameters", "flatten_gradients", "unflatten_parameters",
]
