"""rickiepark/hg-mldl 8-2 MaxPooling2D(2) / ageron/handson-ml3 ch14 MaxPool2D(): the Keras layer with its default padding='valid'."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = "did you use padding='VALID'?"

import tensorflow as tf


def maxpool2d(x, k=2):
    return tf.keras.layers.MaxPooling2D(k)(x)
