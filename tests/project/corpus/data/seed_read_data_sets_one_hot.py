"""Seed (ejercicio_03_cnn.md, Paso 1.3/1.4): read_data_sets(..., one_hot=True), validation_size not passed."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'load_data must pass its validation_size on'

import numpy as np
import input_data


def one_hot(labels, num_classes=10):
    return np.eye(num_classes, dtype=np.float32)[labels]


def load_data(data_dir="data/fashion", source_url=None, validation_size=5000):
    data = input_data.read_data_sets(data_dir, source_url=source_url, one_hot=True)
    train_X = data.train.images
    test_X = data.test.images
    train_y = data.train.labels
    test_y = data.test.labels
    return train_X, train_y, test_X, test_y
