"""ageron/handson-ml3 10_neural_nets_with_keras.ipynb: plt.subplot(rows, cols, i); imshow(cmap='binary'); axis('off'); plt.title(class_names[y])."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'here `plt` is a Figure, which has no subplot'

import numpy as np
from input_data import LABELS

class_names = [LABELS[i] for i in range(10)]


def plot_image(plt, data, label, size, location):
    if isinstance(location, tuple):
        ax = plt.subplot(*location)
    else:
        ax = plt.subplot(location)
    plt.imshow(np.reshape(data, size), cmap="binary", interpolation="nearest")
    plt.axis('off')
    plt.title(class_names[label])
    return ax
