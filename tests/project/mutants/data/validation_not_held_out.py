"""load_data ignores validation_size: the validation images stay in train_X."""

import numpy as np

import input_data


def one_hot(labels, num_classes=10):
    labels = np.asarray(labels).reshape(-1).astype(np.int64)
    return np.eye(num_classes, dtype=np.float32)[labels]


def load_data(data_dir="data/fashion", source_url=None, validation_size=5000):
    sets = input_data.read_data_sets(data_dir, validation_size=0)
    return (sets.train.images, one_hot(sets.train.labels),
            sets.test.images, one_hot(sets.test.labels))
