"""Hint 3 of fully_connected, written out as a learner reads it: flatten, matmul plus bias, ReLU."""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    ("""    x = tf.add(tf.matmul(x, w), b)
    return tf.nn.relu(x)
""", """    return tf.nn.relu(tf.matmul(x, w) + b)
"""),
]
