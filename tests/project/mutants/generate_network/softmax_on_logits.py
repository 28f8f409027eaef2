"""Returns softmax probabilities instead of logits."""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    ("    return tf.add(tf.matmul(previous, weights[last]), biases[last])\n",
     "    return tf.nn.softmax(tf.add(tf.matmul(previous, weights[last]), biases[last]))\n"),
]
