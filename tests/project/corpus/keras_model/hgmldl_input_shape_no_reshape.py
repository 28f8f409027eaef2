"""rickiepark/hg-mldl 8-2.ipynb first layer: Conv2D(32, kernel_size=3, activation='relu', padding='same', input_shape=(28,28,1))
— the data was reshaped to (-1, 28, 28, 1) beforehand, so the model has no Reshape and expects 4-D input."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = "Model layers: expected ['Reshape'"

import keras


def build_model(n_output=10, dropout=None):
    model = keras.Sequential()
    model.add(keras.layers.Conv2D(32, kernel_size=3, activation='relu', padding='same', input_shape=(28, 28, 1)))
    model.add(keras.layers.MaxPooling2D(2, padding='same'))
    model.add(keras.layers.Conv2D(64, kernel_size=3, activation='relu', padding='same'))
    model.add(keras.layers.MaxPooling2D(2, padding='same'))
    model.add(keras.layers.Flatten())
    model.add(keras.layers.Dense(512, activation='relu'))
    if dropout:
        model.add(keras.layers.Dropout(dropout))
    model.add(keras.layers.Dense(n_output))
    return model
