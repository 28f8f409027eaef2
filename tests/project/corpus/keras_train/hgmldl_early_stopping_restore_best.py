"""rickiepark/hg-mldl 8-2.ipynb EarlyStopping(patience=2, restore_best_weights=True) with validation_data; compile as the
kata asks (Adam(learning_rate), from_logits categorical loss, 'accuracy'). Correct: the test set is the validation data."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = None

import keras


def compile_model(model, learning_rate=0.001):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss=keras.losses.CategoricalCrossentropy(from_logits=True),
                  metrics=['accuracy'])
    return model


def train_model(model, data, epochs=10, batch_size=128, *, callbacks=None, verbose=0):
    train_X, train_y, test_X, test_y = data
    early_stopping_cb = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    return model.fit(train_X, train_y, epochs=epochs, batch_size=batch_size,
                     validation_data=(test_X, test_y), callbacks=list(callbacks or []) + [early_stopping_cb],
                     verbose=verbose)
