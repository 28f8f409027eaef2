"""Holds out 10 % of the training data (validation_split) instead of validating on the test set.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """                     validation_data=(test_X, test_y), callbacks=callbacks, verbose=verbose)
""",
        """                     validation_split=0.1, callbacks=callbacks, verbose=verbose)
""",
    ),
]
