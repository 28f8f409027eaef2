"""Seed (Paso 1.3) parameter text "plt: Es la figura sobre la que se insertará la imagen" read literally: Figure.add_subplot."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'here `plt` is the pyplot module, which has no add_subplot'

import numpy as np
from input_data import LABELS


def plot_image(plt, data, label, size, location):
    ax = plt.add_subplot(*location) if isinstance(location, tuple) else plt.add_subplot(location)
    ax.imshow(np.reshape(data, size), cmap="gray")
    number = int(np.argmax(label)) if np.ndim(label) else int(label)
    ax.set_title(LABELS[number])
    return ax
