"""Passes optimizer='adam', so the learning rate is always Adam's default 0.001.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
""",
        """        optimizer="adam",
""",
    ),
]
