"""evaluate returns the metrics of the first batch only.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """        total_loss += float(loss) * len(bx)
        total_hits += float(acc) * len(bx)
    return total_loss / len(X), total_hits / len(X)
""",
        """        return float(loss), float(acc)
""",
    ),
]
