"""Always draws on subplot 111, ignoring location."""

import numpy as np

import input_data


def plot_image(plt, data, label, size, location):
    axes = plt.subplot(111)
    label = np.asarray(label)
    number = int(np.argmax(label)) if label.ndim else int(label)
    axes.imshow(np.reshape(np.asarray(data), size), cmap="gray_r")
    axes.set_title(f"({input_data.LABELS[number]})")
    return axes
