"""Never reshapes the flat input to (-1, 28, 28, 1) before the first convolution.

TensorFlow aborts the whole process on a rank-2 input to its convolution; the tests check the rank
before the reference conv2d runs, so this is a message, not a crash.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    ("    previous = tf.reshape(x, [-1, 28, 28, 1])\n", "    previous = x\n"),
]
