"""Puts a ReLU on the logits (the output layer built like a hidden one).
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """    return tf.add(tf.matmul(previous, weights[last]), biases[last])
""",
        """    return tf.nn.relu(tf.add(tf.matmul(previous, weights[last]), biases[last]))
""",
    ),
]
