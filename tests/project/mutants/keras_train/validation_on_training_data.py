"""Validates on the training data instead of the test set.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """                     validation_data=(test_X, test_y), callbacks=callbacks, verbose=verbose)
""",
        """                     validation_data=(train_X, train_y), callbacks=callbacks, verbose=verbose)
""",
    ),
]
