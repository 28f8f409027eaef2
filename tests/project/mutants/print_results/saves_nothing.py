"""Ignores `path`: no PNG is written.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """    if path is not None:
        fig.savefig(path, dpi=100)
""",
        """""",
    ),
]
