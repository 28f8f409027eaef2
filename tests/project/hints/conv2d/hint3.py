"""Hint 3 of conv2d, written out as a learner reads it: convolution, bias, ReLU."""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    ("""    x = tf.nn.conv2d(x, W, strides=[1, strides, strides, 1], padding="SAME")
""", """    x = tf.nn.conv2d(x, W, strides=[1, strides, strides, 1], padding='SAME')
"""),
]
