"""Gives the hidden dense layer 1024 units.
"""

import keras
from keras import layers


def build_model(n_output=10, dropout=None):
    """The course CNN as a keras.Sequential.

    Input (batch, 784) → Reshape (28, 28, 1) → Conv2D 32 3×3 SAME ReLU → MaxPooling2D 2 SAME
    → Conv2D 64 3×3 SAME ReLU → MaxPooling2D 2 SAME → Flatten (3136) → Dense 512 ReLU
    → [Dropout(dropout) when a rate is given] → Dense n_output (logits, no activation).
    """
    stack = [
        keras.Input(shape=(784,)),
        layers.Reshape((28, 28, 1)),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2, padding="same"),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2, padding="same"),
        layers.Flatten(),
        layers.Dense(1024, activation="relu"),
    ]
    if dropout:
        stack.append(layers.Dropout(dropout))
    stack.append(layers.Dense(n_output))
    return keras.Sequential(stack, name="course_cnn")
