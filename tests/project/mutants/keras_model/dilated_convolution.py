"""Uses dilated 3×3 convolutions (dilation_rate=2): same shapes and parameters, other logits.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """        layers.Conv2D(32, 3, padding="same", activation="relu"),
""",
        """        layers.Conv2D(32, 3, padding="same", activation="relu", dilation_rate=2),
""",
    ),
]
