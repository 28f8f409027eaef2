"""Does not pass batch_size to fit, which then uses 32.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """    return model.fit(train_X, train_y, epochs=epochs, batch_size=batch_size, shuffle=True,
""",
        """    return model.fit(train_X, train_y, epochs=epochs, shuffle=True,
""",
    ),
]
