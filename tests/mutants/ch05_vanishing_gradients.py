"""Planted bugs for ch05_vanishing_gradients: typical mistakes in gradient clipping."""

MUTANTS = [
    # (exercise grade_id, exact text in its solution cell, replacement, the mistake it plants)
    ("clip", "np.clip(g, -max_value, max_value)", "np.clip(g, -max_value, max_value, out=g)",
     "clips the caller's arrays in place"),
    ("clip", "np.clip(g, -max_value, max_value)", "np.clip(g, 0, max_value)", "clips to [0, max_value]"),
    ("clip", "np.clip(g, -max_value, max_value)", "np.minimum(g, max_value)", "applies only the upper bound"),
    ("clip", "clipped = {name: np.clip(g, -max_value, max_value) for name, g in gradients.items()}",
     "clipped = gradients\n    for name, g in gradients.items():\n        clipped[name] = np.clip(g, -max_value, max_value)",
     "overwrites the entries of the caller's dict and returns it"),
    ("clip", "clipped = {name: np.clip(g, -max_value, max_value) for name, g in gradients.items()}",
     "clipped = {name: np.clip(g, -max_value, max_value) for name, g in list(gradients.items())[:1]}",
     "clips only the first array and drops the others"),

    ("clip_by_norm", "g * scale", "g * min(1.0, max_norm / np.linalg.norm(g))",
     "clips each array by its own norm instead of the global norm"),
    ("clip_by_norm", " if total_norm > max_norm else 1.0", "", "scales even when the norm is already below max_norm"),
    ("clip_by_norm", "scale = max_norm / total_norm if", "scale = 1.0 / total_norm if",
     "divides by the norm without multiplying by max_norm"),
    ("clip_by_norm", "clipped = {name: g * scale for name, g in gradients.items()}",
     "for g in gradients.values():\n        g *= scale\n    clipped = dict(gradients)",
     "scales the caller's arrays in place"),
    ("clip_by_norm", "np.sqrt(sum(np.sum(g ** 2) for g in gradients.values()))",
     "sum(np.linalg.norm(g) for g in gradients.values())", "adds the arrays' norms instead of their squares"),
    ("clip_by_norm", "np.sqrt(sum(np.sum(g ** 2) for g in gradients.values()))",
     "sum(np.sum(g ** 2) for g in gradients.values())", "the squared norm (no square root)"),
    ("clip_by_norm", "if total_norm > max_norm else 1.0", "if total_norm < max_norm else 1.0",
     "the comparison turned round"),
]
