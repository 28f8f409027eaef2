"""Puts a ReLU on the output layer, so the logits cannot be negative.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """    stack.append(layers.Dense(n_output))
""",
        """    stack.append(layers.Dense(n_output, activation="relu"))
""",
    ),
]
