"""Uses SparseCategoricalAccuracy, which expects class numbers, on one-hot labels.
"""

import keras


def compile_model(model, learning_rate=0.001):
    """Ready `model` for training: Adam, from-logits categorical cross-entropy, accuracy.

    The network ends in logits (no softmax), so the loss must be told `from_logits=True`.
    The accuracy metric must be named "accuracy" (labels are one-hot). Returns the model.
    """
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss=keras.losses.CategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )
    return model


def train_model(model, data, epochs=10, batch_size=128, *, callbacks=None, verbose=0):
    """Fit a compiled model and return its keras History.

    data: (train_X, train_y, test_X, test_y) as `load_data` returns them; the test set is the
    validation data, so history.history holds loss, accuracy, val_loss and val_accuracy per epoch.
    """
    train_X, train_y, test_X, test_y = data
    return model.fit(train_X, train_y, epochs=epochs, batch_size=batch_size, shuffle=True,
                     validation_data=(test_X, test_y), callbacks=callbacks, verbose=verbose)
