"""rickiepark/hg-mldl 8-2.ipynb: Conv2D(32, kernel_size=3, activation='relu', padding='same'), MaxPooling2D(2),
Conv2D(64, kernel_size=(3,3), ...), MaxPooling2D(2), Flatten, Dense(100, 'relu'), Dropout(0.4), Dense(10, 'softmax').
Adapted: Input + Reshape, Dense 512, Dropout only with a rate; kept: MaxPooling2D(2) default 'valid', softmax output."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = "the output layer has activation='softmax'"

import keras


def build_model(n_output=10, dropout=None):
    model = keras.Sequential()
    model.add(keras.Input(shape=(784,)))
    model.add(keras.layers.Reshape((28, 28, 1)))
    model.add(keras.layers.Conv2D(32, kernel_size=3, activation='relu', padding='same'))
    model.add(keras.layers.MaxPooling2D(2))
    model.add(keras.layers.Conv2D(64, kernel_size=(3, 3), activation='relu', padding='same'))
    model.add(keras.layers.MaxPooling2D(2))
    model.add(keras.layers.Flatten())
    model.add(keras.layers.Dense(512, activation='relu'))
    if dropout:
        model.add(keras.layers.Dropout(dropout))
    model.add(keras.layers.Dense(n_output, activation='softmax'))
    return model
