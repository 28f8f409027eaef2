"""Applies dropout whenever a rate is given, even when drop_out is False (so also at evaluation).
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """    if drop_out and dropout:
""",
        """    if dropout:
""",
    ),
]
