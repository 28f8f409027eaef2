"""Seed (ejercicio_03_cnn.md, Paso 1.3) verbatim in behaviour: draws with the pyplot state machine, returns None."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'plot_image returned NoneType'

import numpy as np
from input_data import LABELS


def plot_image(plt, data, label, size, location):
    plt.subplot(location)
    img = np.reshape(data, size)
    label = np.argmax(label)
    plt.imshow(img)
    plt.title("(Label: " + str(LABELS[label]) + ")")
