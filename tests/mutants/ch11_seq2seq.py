"""Planted bugs in the solutions of ch11_seq2seq (embeddings, the masked loss, the encoder-decoder, greedy decoding)."""

MUTANTS = [
    # (exercise grade_id, exact text in its solution cell, replacement, the mistake it plants[, a hint its message gives])
    ('embedding_forward', 'e = E[:, ids]', 'e = E[:, ids.T]', 'ids read as (T, m): e comes out (n_e, T, m)', 'has shape'),
    ('embedding_forward', 'e = E[:, ids]', 'e = E.T[ids]', 'rows of E looked up: e comes out (m, T, n_e)', 'has shape'),
    ('embedding_backward', 'np.add.at(dE, (slice(None), ids), de)', 'dE[:, ids] = de', 'assignment instead of accumulation: a repeated id keeps only one of its gradients', 'more than once'),
    ('embedding_backward', 'dE = np.zeros(E.shape)', 'dE = E.copy()', 'the gradient accumulated onto E instead of zeros', 'start from zeros'),
    ('masked_cross_entropy', '/ np.sum(mask)', '/ mask.size', 'the mean over all positions, padding included', 'padding counted in the mean'),
    ('masked_cross_entropy', 'mask * np.log(p_target)', 'np.log(p_target)', 'the mask forgotten: padded positions add to the loss', 'multiply the log-probabilities by the mask'),
    ('masked_cross_entropy', '/ np.sum(mask)', '/ m', 'the mean over sequences (as sequence_cross_entropy) instead of over tokens', 'not by the number of sequences'),
    ('masked_cross_entropy', 'loss = -np.sum', 'loss = np.sum', 'the minus sign forgotten', 'minus sign'),
    ('masked_cross_entropy_backward', '(y_pred - y) * mask / np.sum(mask)', '(y_pred - y) / np.sum(mask)', 'the mask forgotten in the backward pass: padding gets a gradient', 'zero at padding'),
    ('masked_cross_entropy_backward', '(y_pred - y) * mask / np.sum(mask)', '(y_pred - y) * mask / mask.size', 'divided by every position instead of the real tokens', 'number of real tokens'),
    ('masked_cross_entropy_backward', '(y_pred - y) * mask', 'y_pred * mask', 'the one-hot target not subtracted', 'y_pred - one_hot'),
    ('seq2seq_forward', 'a_enc[:, np.arange(m), source_lengths - 1]', 'a_enc[:, :, -1]', 'the context taken at T_x - 1 for every example, after the padding', 'its own last real step'),
    ('seq2seq_forward', 'gru_forward(e_tgt, context, parameters["decoder"])', 'gru_forward(e_tgt, np.zeros((n_a, m)), parameters["decoder"])', 'the decoder not started from the context', 'start from the context'),
    ('seq2seq_forward', 'embedding_forward(target_in, parameters["E_tgt"])', 'embedding_forward(target_in, parameters["E_src"])', "the decoder's inputs embedded with E_src", 'E_tgt'),
    ('seq2seq_forward', 'embedding_forward(target_in, ', 'embedding_forward(np.concatenate([np.full((m, 1), START), target_in[:, :-1]], axis=1), ', 'target_in shifted once more (it is already START then the target shifted)', 'already START then the target shifted'),
    ('seq2seq_backward', 'da_enc[:, np.arange(m), lengths - 1] = decoder["da0"]', 'da_enc[:, :, -1] = decoder["da0"]', "the context's gradient sent to step T_x - 1 instead of each length", 'last real step'),
    ('seq2seq_backward', '    da_enc[:, np.arange(m), lengths - 1] = decoder["da0"]  # the context was read at each example\'s last step\n', '', "the context's gradient dropped: the encoder learns nothing", 'da0'),
    ('seq2seq_backward', 'dby = np.sum(dz, axis=(1, 2)).reshape(-1, 1)', 'dby = np.sum(dz[:, :, -1], axis=1, keepdims=True)', 'dby from the last step only', 'every step'),
    ('seq2seq_backward', 'embedding_backward(decoder["dx"], cache["target"])', 'embedding_backward(decoder["dx"], cache["source"])', "dE_tgt computed with the source's ids"),
    ('greedy_decode', '        previous = token[:, np.newaxis]\n', '', 'the prediction not fed back: START is the input at every step', 'fed back'),
    ('greedy_decode', 'np.where(ended, PAD, np.argmax(y_step[:, :, 0], axis=0))', 'np.argmax(y_step[:, :, 0], axis=0)', 'no PAD after END: the row goes on after it has ended', 'PAD after END'),
    ('greedy_decode', 'tokens[:, t] = token', 'tokens[:, t] = np.where(token == END, PAD, token)', 'END itself dropped', 'keep END'),
    ('greedy_decode', '        a = a_step[:, :, 0]\n', '', "the decoder's state not carried from step to step", 'carry the state'),
    ('greedy_decode', 'a = a_enc[:, np.arange(m), source_lengths - 1]', 'a = a_enc[:, :, -1]', 'the context taken at T_x - 1 for every example', 'its own last real step'),
]
