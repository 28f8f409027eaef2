"""Walks through every entry of `layers`, so the output layer goes through fully_connected and its ReLU.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """    for code, w, b in zip(layers[:-1], weights, biases):
""",
        """    for i, (code, w, b) in enumerate(zip(layers, weights, biases)):
        if i == len(layers) - 1 and drop_out and dropout:
            previous = tf.nn.dropout(previous, rate=dropout)
""",
    ),
    (
        """    if drop_out and dropout:
        previous = tf.nn.dropout(previous, rate=dropout)
    last = len(layers) - 1
    previous = tf.reshape(previous, [-1, weights[last].shape[0]])
    return tf.add(tf.matmul(previous, weights[last]), biases[last])
""",
        """    return previous
""",
    ),
]
