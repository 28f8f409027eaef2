"""Evaluates the test set once before training too, so every curve has one value more than the epochs."""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    ("""    n = len(train_X)
    n_batches = -(-n // batch_size)
""", """    n = len(train_X)
    n_batches = -(-n // batch_size)
    first_loss, first_acc = evaluate(test_X, test_y, weights, biases, layers)
    for values, value in zip(history, (first_loss, first_loss, first_acc, first_acc)):
        values.append(value)
"""),
]
