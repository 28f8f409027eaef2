"""tensorflow/docs site/en/tutorials/images/cnn.ipynb: models.Sequential(); Conv2D(32, (3, 3), activation='relu'), MaxPooling2D((2, 2)),
... Dense(10) with no activation (logits). Adapted to the course's layer list; kept: 'valid' convolutions."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = "padding='same' in the Conv2D layers"

import keras
from keras import layers, models


def build_model(n_output=10, dropout=None):
    model = models.Sequential()
    model.add(keras.Input(shape=(784,)))
    model.add(layers.Reshape((28, 28, 1)))
    model.add(layers.Conv2D(32, (3, 3), activation='relu'))
    model.add(layers.MaxPooling2D((2, 2)))
    model.add(layers.Conv2D(64, (3, 3), activation='relu'))
    model.add(layers.MaxPooling2D((2, 2)))
    model.add(layers.Flatten())
    model.add(layers.Dense(512, activation='relu'))
    if dropout:
        model.add(layers.Dropout(dropout))
    model.add(layers.Dense(n_output))
    return model
