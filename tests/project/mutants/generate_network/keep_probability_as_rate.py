"""Passes the TF1 keep probability as TF2's rate: tf.nn.dropout(x, rate=1 - dropout).
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """        previous = tf.nn.dropout(previous, rate=dropout)
""",
        """        previous = tf.nn.dropout(previous, rate=1 - dropout)
""",
    ),
]
