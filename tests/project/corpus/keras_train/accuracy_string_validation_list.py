"""tensorflow/docs classification.ipynb metrics=['accuracy'] string + Onlee97/ECET380 Code/CNN.py validation_data=[X_valid, y_valid]
(a list), with Adam(learning_rate) and CategoricalCrossentropy(from_logits=True) as the kata asks."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = None

import keras


def compile_model(model, learning_rate=0.001):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.CategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def train_model(model, data, epochs=10, batch_size=128, *, callbacks=None, verbose=0):
    train_X, train_y, test_X, test_y = data
    return model.fit(train_X, train_y, epochs=epochs, batch_size=batch_size,
                     validation_data=[test_X, test_y], callbacks=callbacks, verbose=verbose)
