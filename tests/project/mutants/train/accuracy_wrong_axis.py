"""Takes tf.argmax over the batch (axis 0) instead of over the classes.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """    hits = tf.equal(tf.argmax(logits, axis=1), tf.argmax(labels, axis=1))
""",
        """    hits = tf.equal(tf.argmax(logits, axis=0), tf.argmax(labels, axis=0))
""",
    ),
]
