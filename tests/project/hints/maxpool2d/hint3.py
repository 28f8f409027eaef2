"""Hint 3 of maxpool2d, written out as a learner reads it: one call to tf.nn.max_pool2d."""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    ("""    return tf.nn.max_pool2d(x, ksize=k, strides=k, padding="SAME")
""", """    return tf.nn.max_pool2d(x, ksize=k, strides=k, padding='SAME')
"""),
]
