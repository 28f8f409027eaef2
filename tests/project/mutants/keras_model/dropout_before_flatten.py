"""Puts the Dropout layer after the convolutions instead of before the output layer.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """        layers.Flatten(),
        layers.Dense(512, activation="relu"),
""",
        """""",
    ),
    (
        """        stack.append(layers.Dropout(dropout))
    stack.append(layers.Dense(n_output))
""",
        """        stack.append(layers.Dropout(dropout))
    stack += [layers.Flatten(), layers.Dense(512, activation="relu")]
    stack.append(layers.Dense(n_output))
""",
    ),
]
