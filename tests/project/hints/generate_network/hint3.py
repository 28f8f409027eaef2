"""Hint 3 of generate_network, written out as a learner reads it: reshape, the hidden layers by their codes, dropout, the affine output."""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    ("""    if drop_out and (dropout is None or not 0 <= dropout < 1):
        raise ValueError(f"dropout must be a rate in [0, 1) when drop_out is True, got {dropout!r}")
    previous = tf.reshape(x, [-1, 28, 28, 1])
    for code, w, b in zip(layers[:-1], weights, biases):
        if code == 1:
            previous = maxpool2d(conv2d(previous, w, b), k=2)
        elif code == 2:
            previous = fully_connected(previous, w, b)
        else:
            raise ValueError(f"unknown layer code {code!r}: use 1 (convolution) or 2 (fully connected)")
    if drop_out and dropout:
        previous = tf.nn.dropout(previous, rate=dropout)
    last = len(layers) - 1
    previous = tf.reshape(previous, [-1, weights[last].shape[0]])
    return tf.add(tf.matmul(previous, weights[last]), biases[last])
""", """    x = tf.reshape(x, [-1, 28, 28, 1])
    for code, w, b in zip(layers[:-1], weights, biases):
        if code == 1:
            x = maxpool2d(conv2d(x, w, b), k=2)
        elif code == 2:
            x = fully_connected(x, w, b)
    if drop_out:
        x = tf.nn.dropout(x, rate=dropout)
    x = tf.reshape(x, [-1, weights[-1].shape[0]])
    return tf.matmul(x, weights[-1]) + biases[-1]
"""),
]
