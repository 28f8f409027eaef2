"""Applies dropout to the logits instead of the last hidden layer.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """    if drop_out and dropout:
        previous = tf.nn.dropout(previous, rate=dropout)
""",
        """""",
    ),
    (
        """    return tf.add(tf.matmul(previous, weights[last]), biases[last])
""",
        """    logits = tf.add(tf.matmul(previous, weights[last]), biases[last])
    return tf.nn.dropout(logits, rate=dropout) if drop_out and dropout else logits
""",
    ),
]
