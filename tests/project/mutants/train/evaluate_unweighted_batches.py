"""evaluate averages the batch means, so a short last batch counts as much as a full one.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        '    """\n    total_loss = total_hits = 0.0\n    for start in range(0, len(X), batch_size):\n',
        '    """\n    losses, accuracies = [], []\n    for start in range(0, len(X), batch_size):\n',
    ),
    (
        """        total_loss += float(loss) * len(bx)
        total_hits += float(acc) * len(bx)
    return total_loss / len(X), total_hits / len(X)
""",
        """        losses.append(float(loss))
        accuracies.append(float(acc))
    return float(np.mean(losses)), float(np.mean(accuracies))
""",
    ),
]
