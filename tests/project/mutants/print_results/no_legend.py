"""Labels the lines but never calls legend().
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """    axes.legend()
""",
        """""",
    ),
]
