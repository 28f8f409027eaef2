"""Draws on plt.gcf().add_subplot and picks the name with a dict lookup of the label."""

import numpy as np

import input_data


def plot_image(plt, data, label, size, location):
    figure = plt.gcf()
    where = tuple(location) if isinstance(location, (tuple, list)) else (location,)
    axes = figure.add_subplot(*where)
    label = np.asarray(label)
    number = label.argmax() if label.size > 1 else label.item()
    axes.imshow(np.asarray(data).reshape(size), cmap="gray", interpolation="nearest")
    axes.set_title(input_data.LABELS[int(number)])
    axes.axis("off")
    return axes
