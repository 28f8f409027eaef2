"""Forgets the max pooling after each convolution.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """            previous = maxpool2d(conv2d(previous, w, b), k=2)
""",
        """            previous = conv2d(previous, w, b)
""",
    ),
]
