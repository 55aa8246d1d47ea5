"""Planted bugs in the solutions of ch10_training (sampling text, one training step)."""

MUTANTS = [
    # (exercise grade_id, exact text in its solution cell, replacement, the mistake it plants)
    ("sample", "[\"by\"]) / temperature)", "[\"by\"]) * temperature)", "the logits multiplied by the temperature instead of divided", "divide the logits by the temperature"),
    ("sample", "int(rng.choice(n_y, p=p.ravel()))", "int(np.argmax(p))",
     "the most likely character taken instead of a sample", "the most likely character at every step"),
    ("sample", "        x[ix] = 1.0", "        x[seed_ix] = 1.0",
     "the sampled character is not fed back: the seed character is the input at every step", "not the seed character"),
    ("sample", "rnn_step_forward(x, a, parameters)", "rnn_step_forward(x, np.zeros((n_a, 1)), parameters)",
     "the hidden state is not carried over: a<t-1> = 0 at every step", "carry the hidden state over"),
    ("sample", "int(rng.choice(n_y, p=p.ravel()))", "int(np.random.default_rng(seed).choice(n_y, p=p.ravel()))",
     "a fresh generator at every step (every draw uses the same random number)", "make the generator once"),
    ("sample", "indices = []", "indices = [seed_ix]", "the seed character included in the output", "is the seed character in it"),
    ("sample", "softmax((parameters[\"Wya\"] @ a + parameters[\"by\"]) / temperature)",
     "softmax(parameters[\"Wya\"] @ a + parameters[\"by\"])", "the temperature is ignored", "the temperature is ignored"),
    ("rnn_training_step", "parameters[name] - learning_rate", "parameters[name] + learning_rate",
     "the update goes up the gradient (wrong sign)", "step against the gradient"),
    ("rnn_training_step", "    gradients = clip_by_norm(gradients, clip_norm)\n", "",
     "the gradients are not clipped", "the gradients were not clipped"),
    ("rnn_training_step",
     "    gradients = clip_by_norm(gradients, clip_norm)\n"
     "    new_parameters = {name: parameters[name] - learning_rate * gradients[\"d\" + name] for name in parameters}",
     "    new_parameters = {name: parameters[name] - learning_rate * gradients[\"d\" + name] for name in parameters}\n"
     "    new_parameters = clip_by_norm(new_parameters, clip_norm)",
     "clipping after the update (the new parameters are clipped, not the gradients)", "clip the gradients, not the new parameters"),
    ("rnn_training_step",
     "    gradients = {\"d\" + name: gradients[\"d\" + name] for name in (\"Wax\", \"Waa\", \"Wya\", \"ba\", \"by\")}\n",
     "", "dx and da0 are counted in the global norm of the clipped gradients", "clip only the five weight gradients"),
    ("rnn_training_step", "gradients[\"dWya\"] = output_grads[\"dWya\"]",
     "gradients[\"dWya\"] = np.zeros_like(parameters[\"Wya\"])", "the output weights Wya are not trained", "dWya comes from output_layer_backward"),
    ("rnn_training_step",
     "    new_parameters = {name: parameters[name] - learning_rate * gradients[\"d\" + name] for name in parameters}",
     "    new_parameters = parameters\n"
     "    for name in parameters:\n"
     "        parameters[name] -= learning_rate * gradients[\"d\" + name]",
     "the parameters are updated in place", "was changed in place"),
    ("rnn_training_step", "np.zeros((n_a, m)), parameters)", "np.ones((n_a, m)), parameters)",
     "the forward pass does not start from a0 = 0"),
    ("sample", "p = softmax((parameters[\"Wya\"] @ a + parameters[\"by\"]) / temperature)",
     "p = softmax(parameters[\"Wya\"] @ a + parameters[\"by\"]) ** (1 / temperature)",
     "the temperature applied to unnormalised probabilities: NaN at temperature 0.001", "sample fails at temperature"),
]
