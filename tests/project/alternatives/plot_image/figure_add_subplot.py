"""Draws with add_subplot on the figure (`plt` itself when it is one, else plt.gcf()) and picks the name with a dict lookup."""

import numpy as np

import input_data


def plot_image(plt, data, label, size, location):
    figure = plt if hasattr(plt, "add_subplot") else plt.gcf()
    where = tuple(location) if isinstance(location, (tuple, list)) else (location,)
    axes = figure.add_subplot(*where)
    label = np.asarray(label)
    number = label.argmax() if label.size > 1 else label.item()
    axes.imshow(np.asarray(data).reshape(size), cmap="gray", interpolation="nearest")
    axes.set_title(input_data.LABELS[int(number)])
    axes.axis("off")
    return axes
