"""Leaves from_logits=False, so Keras takes the logits for probabilities.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """        loss=keras.losses.CategoricalCrossentropy(from_logits=True),
""",
        """        loss=keras.losses.CategoricalCrossentropy(),
""",
    ),
]
