"""Uses SparseCategoricalAccuracy, which expects class numbers, on one-hot labels.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """        metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")],
""",
        """        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
""",
    ),
]
