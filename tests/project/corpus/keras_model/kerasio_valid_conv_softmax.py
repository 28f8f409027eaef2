"""keras-team/keras-io examples/vision/mnist_convnet.py: Conv2D(32, kernel_size=(3, 3), activation="relu") (padding 'valid'),
MaxPooling2D(pool_size=(2, 2)), Flatten, Dropout, Dense(num_classes, activation="softmax"). Adapted to the course's
layer list (Reshape first, Dense 512, Dropout only with a rate) keeping those spellings and defaults."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = "padding='same' in the Conv2D layers"

import keras
from keras import layers


def build_model(n_output=10, dropout=None):
    stack = [
        keras.Input(shape=(784,)),
        layers.Reshape((28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dense(512, activation="relu"),
    ]
    if dropout:
        stack.append(layers.Dropout(dropout))
    stack.append(layers.Dense(n_output, activation="softmax"))
    return keras.Sequential(stack)
