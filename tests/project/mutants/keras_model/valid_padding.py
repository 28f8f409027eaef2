"""Uses padding='valid' in the convolutions (28 → 26).
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """        layers.Conv2D(32, 3, padding="same", activation="relu"),
""",
        """        layers.Conv2D(32, 3, padding="valid", activation="relu"),
""",
    ),
    (
        """        layers.Conv2D(64, 3, padding="same", activation="relu"),
""",
        """        layers.Conv2D(64, 3, padding="valid", activation="relu"),
""",
    ),
]
