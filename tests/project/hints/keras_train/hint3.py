"""Hint 3 of keras_train, written out as a learner reads it: compile with Adam, the from-logits cross-entropy and an accuracy named accuracy; fit with the test set as validation."""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    ("""    return model.fit(train_X, train_y, epochs=epochs, batch_size=batch_size, shuffle=True,
                     validation_data=(test_X, test_y), callbacks=callbacks, verbose=verbose)
""", """    return model.fit(train_X, train_y, epochs=epochs, batch_size=batch_size, validation_data=(test_X, test_y),
                     callbacks=callbacks, verbose=verbose)
"""),
]
