"""tensorflow/docs classification.ipynb draws train_images[i] straight away (Keras' arrays are (28, 28)); with the kata's flat
(784,) rows and no np.reshape, imshow gets a 1-D array."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'np.reshape(data, size) before drawing it'

import numpy as np
from input_data import LABELS


def plot_image(plt, data, label, size, location):
    ax = plt.subplot(*location) if isinstance(location, tuple) else plt.subplot(location)
    plt.imshow(data, cmap=plt.cm.binary)
    number = int(np.argmax(label)) if np.ndim(label) else int(label)
    plt.title(LABELS[number])
    return ax
