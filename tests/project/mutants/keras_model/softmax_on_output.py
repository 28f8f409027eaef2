"""Ends in a softmax, so the model returns probabilities instead of logits.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """    stack.append(layers.Dense(n_output))
""",
        """    stack.append(layers.Dense(n_output, activation="softmax"))
""",
    ),
]
