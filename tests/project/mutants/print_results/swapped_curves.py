"""Swaps the curves: the training label goes on the test values.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """    axes.plot(range(1, len(train_values) + 1), train_values, "b-o", label=f"entrenamiento · train: {metric}")
    axes.plot(range(1, len(test_values) + 1), test_values, "r-o", label=f"test: {metric}")
""",
        """    axes.plot(range(1, len(test_values) + 1), test_values, "b-o", label=f"entrenamiento · train: {metric}")
    axes.plot(range(1, len(train_values) + 1), train_values, "r-o", label=f"test: {metric}")
""",
    ),
]
