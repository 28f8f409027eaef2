"""hmsket/playground Practice-JAX/ch2-2.py: np.eye(10)[labels] (float64 identity rows)."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'np.eye(num_classes, dtype=np.float32)'

import numpy as np
import input_data


def one_hot(labels, num_classes=10):
    return np.eye(num_classes)[labels]


def load_data(data_dir="data/fashion", source_url=None, validation_size=5000):
    sets = input_data.read_data_sets(data_dir, source_url=source_url, validation_size=validation_size)
    return sets.train.images, one_hot(sets.train.labels), sets.test.images, one_hot(sets.test.labels)
