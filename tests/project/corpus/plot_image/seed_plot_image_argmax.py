"""Seed (ejercicio_03_cnn.md, Paso 1.3): plt.subplot(location); np.reshape; np.argmax(label); plt.imshow; plt.title.

Only adaptation: return the Axes (the seed returns None) and the labels come from input_data.LABELS.
"""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'np.argmax of an integer label (a single number) is always 0'

import numpy as np
from input_data import LABELS


def plot_image(plt, data, label, size, location):
    plt.subplot(location)
    img = np.reshape(data, size)
    label = np.argmax(label)
    plt.imshow(img)
    plt.title("(Label: " + str(LABELS[label]) + ")")
    return plt.gca()
