"""Evaluates the training set where the test set belongs.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """        test_loss, test_acc = evaluate(test_X, test_y, weights, biases, layers)
""",
        """        test_loss, test_acc = evaluate(train_X, train_y, weights, biases, layers)
""",
    ),
]
