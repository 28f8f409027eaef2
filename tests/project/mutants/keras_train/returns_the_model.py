"""Returns the model instead of fit's History.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """    return model.fit(train_X, train_y, epochs=epochs, batch_size=batch_size, shuffle=True,
""",
        """    model.fit(train_X, train_y, epochs=epochs, batch_size=batch_size, shuffle=True,
""",
    ),
    (
        """                     validation_data=(test_X, test_y), callbacks=callbacks, verbose=verbose)
""",
        """                     validation_data=(test_X, test_y), callbacks=callbacks, verbose=verbose)
    return model
""",
    ),
]
