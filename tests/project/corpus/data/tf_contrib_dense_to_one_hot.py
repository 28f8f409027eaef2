"""tensorflow/tensorflow contrib/learn/.../datasets/mnist.py dense_to_one_hot: flat index, np.zeros float64, .shape[0]."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'the kata works in float32'

import numpy as np
import input_data


def one_hot(labels, num_classes=10):
    num_labels = labels.shape[0]
    index_offset = np.arange(num_labels) * num_classes
    labels_one_hot = np.zeros((num_labels, num_classes))
    labels_one_hot.flat[index_offset + labels.ravel()] = 1
    return labels_one_hot


def load_data(data_dir="data/fashion", source_url=None, validation_size=5000):
    sets = input_data.read_data_sets(data_dir, source_url=source_url, validation_size=validation_size)
    return sets.train.images, one_hot(sets.train.labels), sets.test.images, one_hot(sets.test.labels)
