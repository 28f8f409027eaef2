"""evaluate skips the last batch when it is not full.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """    for start in range(0, len(X), batch_size):
""",
        """    for start in range(0, len(X) - batch_size + 1, batch_size):
""",
    ),
    (
        """    return total_loss / len(X), total_hits / len(X)
""",
        """    seen = len(X) // batch_size * batch_size
    return total_loss / seen, total_hits / seen
""",
    ),
]
