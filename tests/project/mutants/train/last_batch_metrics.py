"""Records the loss and accuracy of the epoch's last batch instead of the epoch mean.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """        for values, value in zip(history, (total_loss / n, test_loss, total_hits / n, test_acc)):
""",
        """        for values, value in zip(history, (loss, test_loss, acc, test_acc)):
""",
    ),
]
