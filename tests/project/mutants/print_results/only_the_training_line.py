"""Draws only the training curve.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """    axes.plot(range(1, len(test_values) + 1), test_values, "r-o", label=f"test: {metric}")
""",
        """""",
    ),
]
