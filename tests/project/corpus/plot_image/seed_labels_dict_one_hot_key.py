"""Seed (ejercicio_03_cnn.md, Paso 1.3): the LABELS dict of class names, looked up as ageron/handson-ml3
10_neural_nets_with_keras.ipynb does (plt.title(class_names[y_train[index]])), with the label as it came: a one-hot row."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = "was used as a dict key"

import numpy as np
from input_data import LABELS


def plot_image(plt, data, label, size, location):
    add = getattr(plt, "add_subplot", None) or plt.subplot
    axes = add(*location) if isinstance(location, tuple) else add(location)
    axes.imshow(np.reshape(data, size), cmap="binary")
    axes.set_title(LABELS[np.asarray(label) if np.ndim(label) else int(label)])
    return axes
