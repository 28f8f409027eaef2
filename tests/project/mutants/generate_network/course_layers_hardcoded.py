"""Ignores `layers` and always builds the course's [1, 1, 2, 2].
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """        raise ValueError(f"dropout must be a rate in [0, 1) when drop_out is True, got {dropout!r}")
    previous = tf.reshape(x, [-1, 28, 28, 1])
""",
        """        raise ValueError(f"dropout must be a rate in [0, 1) when drop_out is True, got {dropout!r}")
    layers = COURSE_LAYERS
    previous = tf.reshape(x, [-1, 28, 28, 1])
""",
    ),
]
