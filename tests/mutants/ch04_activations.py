"""Planted bugs for ch04_activations: typical mistakes in the activations and their derivatives."""

MUTANTS = [
    # (exercise grade_id, exact text in its solution cell, replacement, the mistake it plants)
    ("sigmoid", "s = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))", "s = 1.0 / (1.0 + np.exp(-z))",
     "the textbook formula, which overflows in exp(-z) for large negative z", 'Exponentiate -|z| only'),
    ("sigmoid", "np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))", "np.where(z >= 0, e / (1.0 + e), 1.0 / (1.0 + e))",
     "the two cases swapped: computes sigmoid(-z)", 'the sign of the exponent is flipped'),
    ("sigmoid", "e = np.exp(-np.abs(z))", "e = np.exp(-z)",
     "exponent without the absolute value: wrong for z < 0, and overflows"),
    ("sigmoid", "s = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))",
     "z[...] = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))\n    s = z",
     "writes the result into the caller's array", 'sigmoid changed its input z in place'),

    ("tanh", "t = np.tanh(np.asarray(z, dtype=float))",
     "z = np.asarray(z, dtype=float)\n    t = (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))",
     "the textbook formula: inf / inf = nan for large |z|", 'inf / inf = nan'),
    ("tanh", "t = np.tanh(np.asarray(z, dtype=float))", "t = 2.0 * sigmoid(z) - 1.0",
     "2 sigmoid(z) - 1 instead of 2 sigmoid(2z) - 1", '2 sigmoid(2z) - 1'),
    ("tanh", "t = np.tanh(np.asarray(z, dtype=float))", "t = sigmoid(z)",
     "the sigmoid instead of tanh", 'you get the sigmoid, not tanh'),
    ("tanh", "t = np.tanh(np.asarray(z, dtype=float))",
     "z = np.asarray(z, dtype=float)\n    t = (1.0 - np.exp(-2.0 * z)) / (1.0 + np.exp(-2.0 * z))",
     "the rescaled formula without |z|: overflows for large negative z"),

    ("relu", "r = np.maximum(z, 0.0)", "r = np.minimum(z, 0.0)", "min instead of max", 'you get min(0, z)'),
    ("relu", "r = np.maximum(z, 0.0)", "r = np.abs(z)", "absolute value instead of the positive part", 'you get |z|'),
    ("relu", "r = np.maximum(z, 0.0)", "z[z < 0] = 0.0\n    r = z", "zeroes the negative entries of the caller's array in place", 'relu changed its input z in place'),

    ("sigmoid_derivative", "d = s * (1.0 - s)", "d = z * (1.0 - z)", "the output form applied to z, not to sigmoid(z)", 'you computed z * (1 - z)'),
    ("sigmoid_derivative", "d = s * (1.0 - s)", "d = s * (1.0 + s)", "a sign slip in the bracket", 'the sign inside the bracket is wrong'),
    ("sigmoid_derivative", "d = s * (1.0 - s)", "d = 1.0 - s", "forgets the factor sigma(z)", 'you computed 1 - sigma(z)'),
    ("sigmoid_derivative", "s = sigmoid(z)\n    d = s * (1.0 - s)",
     "z = np.asarray(z, dtype=float)\n    d = np.exp(-z) / (1.0 + np.exp(-z)) ** 2",
     "the textbook form e^-z / (1 + e^-z)^2: inf / inf = nan for large negative z", 'use sigma * (1 - sigma)'),

    ("tanh_derivative", "d = 1.0 - t * t", "d = 1.0 - z * z", "the output form applied to z, not to tanh(z)", 'you computed 1 - z^2'),
    ("tanh_derivative", "d = 1.0 - t * t", "d = 1.0 - t", "tanh not squared", 'the tanh should be squared'),
    ("tanh_derivative", "d = 1.0 - t * t", "d = 1.0 + t * t", "a sign slip", '1 + tanh(z)^2: the sign is wrong'),
    ("tanh_derivative", "d = 1.0 - t * t", "d = (1.0 - t) ** 2", "squares the wrong thing", '(1 - tanh(z))^2'),

    ("relu_derivative", "d = (z > 0).astype(float)", "d = (z >= 0).astype(float)", "relu'(0) = 1 instead of 0", 'test z > 0, not z >= 0'),
    ("relu_derivative", "d = (z > 0).astype(float)", "d = np.maximum(z, 0.0)", "returns relu(z), not its slope", 'you returned relu(z) itself'),
    ("relu_derivative", "d = (z > 0).astype(float)", "d = (z < 0).astype(float)", "slope 1 on the wrong side", 'you get 1 for negative z'),

    ("softmax", "np.sum(e, axis=0, keepdims=True)", "np.sum(e, axis=1, keepdims=True)", "normalises the rows, not the columns", 'you normalised each row'),
    ("softmax", "np.sum(e, axis=0, keepdims=True)", "np.sum(e)", "normalises by the sum of the whole array", 'you divided by the sum over the whole array'),
    ("softmax", "np.exp(z - np.max(z, axis=0, keepdims=True))", "np.exp(z)", "no shift: overflows for large z", 'softmax overflowed'),
    ("softmax", "np.max(z, axis=0, keepdims=True)", "np.max(z)", "shifts by the maximum of the whole array: 0 / 0 in small columns", "each column's own maximum"),
    ("softmax", "e = np.exp(z - np.max(z, axis=0, keepdims=True))",
     "z -= np.max(z, axis=0, keepdims=True)\n    e = np.exp(z)", "shifts the caller's array in place", 'softmax changed its input z in place'),
]
