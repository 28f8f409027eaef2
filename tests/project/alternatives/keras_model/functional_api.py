"""The functional API: layers called on tensors, then keras.Model(inputs, outputs).

Same layers in the same order as the Sequential reference; the functional model also lists its
InputLayer, which the tests skip.
"""

import keras
from keras import layers


def build_model(n_output=10, dropout=None):
    """(batch, 784) → (batch, n_output) logits, 1,630,090 parameters for n_output = 10."""
    inputs = keras.Input(shape=(784,), name="pixels")
    h = layers.Reshape(target_shape=(28, 28, 1))(inputs)
    for filters in (32, 64):
        h = layers.Conv2D(filters=filters, kernel_size=(3, 3), strides=1, padding="same", activation="relu")(h)
        h = layers.MaxPooling2D(pool_size=(2, 2), padding="same")(h)
    h = layers.Flatten()(h)
    h = layers.Dense(units=512, activation=keras.activations.relu)(h)
    if dropout is not None and dropout > 0:
        h = layers.Dropout(rate=dropout)(h)
    logits = layers.Dense(units=n_output, activation=None, name="logits")(h)
    return keras.Model(inputs=inputs, outputs=logits, name="course_cnn_functional")
