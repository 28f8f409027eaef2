"""Uses the default padding='valid' in the second pooling (7 → 3).
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2, padding="same"),
        layers.Flatten(),
""",
        """        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
""",
    ),
]
