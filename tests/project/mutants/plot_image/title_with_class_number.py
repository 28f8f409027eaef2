"""The title shows the class number instead of its name."""

import numpy as np

import input_data


def plot_image(plt, data, label, size, location):
    axes = plt.subplot(*location) if isinstance(location, (tuple, list)) else plt.subplot(location)
    label = np.asarray(label)
    number = int(np.argmax(label)) if label.ndim else int(label)
    axes.imshow(np.reshape(np.asarray(data), size), cmap="gray_r")
    axes.set_title(f"({number})")
    return axes
