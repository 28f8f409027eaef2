"""Draws the image transposed (rows and columns swapped)."""

import numpy as np

import input_data


def plot_image(plt, data, label, size, location):
    axes = plt.subplot(*location) if isinstance(location, (tuple, list)) else plt.subplot(location)
    label = np.asarray(label)
    number = int(np.argmax(label)) if label.ndim else int(label)
    axes.imshow(np.reshape(np.asarray(data), size).T, cmap="gray_r")
    axes.set_title(f"({input_data.LABELS[number]})")
    return axes
