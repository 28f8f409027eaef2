"""tensorflow/docs site/en/tutorials/keras/classification.ipynb: xticks/yticks off, grid(False), imshow(cmap=binary), plt.xlabel(class_names[label])."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'is in an axis label, not in the title'

import numpy as np
from input_data import LABELS

class_names = [LABELS[i] for i in range(10)]


def plot_image(plt, data, label, size, location):
    ax = plt.subplot(*location) if isinstance(location, tuple) else plt.subplot(location)
    plt.xticks([])
    plt.yticks([])
    plt.grid(False)
    plt.imshow(np.reshape(data, size), cmap=plt.cm.binary)
    number = int(np.argmax(label)) if np.ndim(label) else int(label)
    plt.xlabel(class_names[number])
    return ax
