"""Gives the first convolution 64 filters and the second 32.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """        layers.Reshape((28, 28, 1)),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
""",
        """        layers.Reshape((28, 28, 1)),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2, padding="same"),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
""",
    ),
    (
        """        layers.MaxPooling2D(2, padding="same"),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
""",
        """""",
    ),
]
