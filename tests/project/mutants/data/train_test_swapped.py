"""load_data returns the test set where the training set goes, and vice versa."""

import numpy as np

import input_data


def one_hot(labels, num_classes=10):
    labels = np.asarray(labels).reshape(-1).astype(np.int64)
    return np.eye(num_classes, dtype=np.float32)[labels]


def load_data(data_dir="data/fashion", source_url=None, validation_size=5000):
    sets = input_data.read_data_sets(data_dir, validation_size=validation_size)
    return (sets.test.images, one_hot(sets.test.labels),
            sets.train.images, one_hot(sets.train.labels))
