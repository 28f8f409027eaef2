"""Computes the gradients but never applies them: the weights never change.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
""",
        """        tape.gradient(loss, variables)
""",
    ),
]
