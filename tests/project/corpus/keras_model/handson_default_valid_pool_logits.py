"""ageron/handson-ml3 14_deep_computer_vision_with_cnns.ipynb: DefaultConv2D = partial(Conv2D, kernel_size=3, padding="same",
activation="relu"), MaxPool2D() with its defaults (2, 'valid'); spelled padding="SAME" as the handson-ml2 copy
Onlee97/ECET380 Code/CNN.py does. Output left as logits, so only the pooling default differs from the reference."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = None

from functools import partial

import keras

DefaultConv2D = partial(keras.layers.Conv2D, kernel_size=3, padding="SAME", activation="relu")


def build_model(n_output=10, dropout=None):
    stack = [
        keras.Input(shape=(784,)),
        keras.layers.Reshape((28, 28, 1)),
        DefaultConv2D(filters=32),
        keras.layers.MaxPool2D(),
        DefaultConv2D(filters=64),
        keras.layers.MaxPool2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(units=512, activation="relu"),
    ]
    if dropout:
        stack.append(keras.layers.Dropout(dropout))
    stack.append(keras.layers.Dense(units=n_output))
    return keras.Sequential(stack)
