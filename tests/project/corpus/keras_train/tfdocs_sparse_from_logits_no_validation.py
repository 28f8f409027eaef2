"""tensorflow/docs site/en/tutorials/keras/classification.ipynb: compile(optimizer='adam',
loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=['accuracy']); fit(train_images, train_labels, epochs=10)."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'left a learning rate of 0.001'

import tensorflow as tf


def compile_model(model, learning_rate=0.001):
    model.compile(optimizer='adam',
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=['accuracy'])
    return model


def train_model(model, data, epochs=10, batch_size=128, *, callbacks=None, verbose=0):
    train_X, train_y, test_X, test_y = data
    return model.fit(train_X, train_y, epochs=epochs, callbacks=callbacks, verbose=verbose)
