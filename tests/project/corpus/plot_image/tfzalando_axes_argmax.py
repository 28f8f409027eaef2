"""thepr0blem/tf-zalando img_process_and_plots.py plot_samples: ax.imshow(x.reshape(...), cmap='gray'); ax.axis('off'); ax.set_title(labels[np.argmax(y)])."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'np.argmax of an integer label (a single number) is always 0'

import numpy as np
from input_data import LABELS


def plot_image(plt, data, label, size, location):
    ax = plt.subplot(*location) if isinstance(location, tuple) else plt.subplot(location)
    ax.imshow(np.reshape(data, size), cmap='gray')
    ax.axis('off')
    ax.set_title(LABELS[np.argmax(label)])
    return ax
