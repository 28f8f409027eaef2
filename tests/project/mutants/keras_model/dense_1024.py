"""Gives the hidden dense layer 1024 units.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """        layers.Dense(512, activation="relu"),
""",
        """        layers.Dense(1024, activation="relu"),
""",
    ),
]
