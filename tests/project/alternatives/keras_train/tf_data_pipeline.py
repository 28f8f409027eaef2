"""tf.data pipelines for fit and validation, the string metric "accuracy" and the loss as a function.

Keras turns metrics=["accuracy"] into categorical accuracy for one-hot labels and names it
"accuracy"; the batches, the shuffling and the validation set come from tf.data.Dataset.
"""

import functools

import keras
import tensorflow as tf


def compile_model(model, learning_rate=0.001):
    """Adam(learning_rate), cross-entropy of logits, the "accuracy" metric; returns the model."""
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=functools.partial(keras.losses.categorical_crossentropy, from_logits=True),
                  metrics=["accuracy"])
    return model


def train_model(model, data, epochs=10, batch_size=128, *, callbacks=None, verbose=0):
    """model.fit on tf.data pipelines, validating on the test set; returns the History."""
    train_X, train_y, test_X, test_y = data
    training = (tf.data.Dataset.from_tensor_slices((train_X, train_y))
                .shuffle(len(train_X), reshuffle_each_iteration=True)
                .batch(batch_size))
    testing = tf.data.Dataset.from_tensor_slices((test_X, test_y)).batch(batch_size)
    return model.fit(training, epochs=epochs, validation_data=testing, callbacks=callbacks or [], verbose=verbose)
