"""Trains copies of the weights, so the parameters passed in never change.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """    weights, biases = parameters
""",
        """    weights, biases = ([tf.Variable(v) for v in group] for group in parameters)
""",
    ),
]
