"""Draws the flat 784 values as one row instead of reshaping to size."""

import numpy as np

import input_data


def plot_image(plt, data, label, size, location):
    axes = plt.subplot(*location) if isinstance(location, (tuple, list)) else plt.subplot(location)
    label = np.asarray(label)
    number = int(np.argmax(label)) if label.ndim else int(label)
    axes.imshow(np.reshape(np.asarray(data), (1, -1)), cmap="gray_r")
    axes.set_title(f"({input_data.LABELS[number]})")
    return axes
