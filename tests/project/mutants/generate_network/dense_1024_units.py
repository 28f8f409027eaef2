"""Gives the hidden dense layer 1024 units instead of 512.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """    shapes = [("W0", (3, 3, 1, 32)), ("W1", (3, 3, 32, 64)), ("D1", (7 * 7 * 64, 512)), ("OUT", (512, n_output))]
""",
        """    shapes = [("W0", (3, 3, 1, 32)), ("W1", (3, 3, 32, 64)), ("D1", (7 * 7 * 64, 1024)), ("OUT", (1024, n_output))]
""",
    ),
]
