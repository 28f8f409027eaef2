"""Drops units with a hand-made mask but does not scale the survivors by 1 / (1 - rate).
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """        previous = tf.nn.dropout(previous, rate=dropout)
""",
        """        previous = previous * tf.cast(tf.random.uniform(tf.shape(previous)) >= dropout, previous.dtype)
""",
    ),
]
