"""Passes the TF1 keep probability to Dropout: layers.Dropout(1 - dropout).
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """        stack.append(layers.Dropout(dropout))
""",
        """        stack.append(layers.Dropout(1 - dropout))
""",
    ),
]
