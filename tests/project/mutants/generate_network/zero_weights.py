"""Initialises every weight to zero, so all units of a layer stay identical.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """    weights = [tf.Variable(_glorot(rng, shape), name=name) for name, shape in shapes]
""",
        """    weights = [tf.Variable(tf.zeros(shape), name=name) for name, shape in shapes]
""",
    ),
]
