"""Ignores the seed: every call draws new initial weights.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """    rng = np.random.default_rng(seed)
""",
        """    rng = np.random.default_rng()
""",
    ),
]
