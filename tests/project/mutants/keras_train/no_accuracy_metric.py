"""Compiles without the accuracy metric.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """        metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")],
""",
        """""",
    ),
]
