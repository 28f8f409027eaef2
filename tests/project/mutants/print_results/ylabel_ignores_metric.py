"""Always labels the y axis 'Loss', whatever the metric.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """    axes.set_ylabel(metric)
""",
        """    axes.set_ylabel("Loss")
""",
    ),
]
