"""Uses SGD instead of Adam.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
""",
        """        optimizer=keras.optimizers.SGD(learning_rate=learning_rate),
""",
    ),
]
