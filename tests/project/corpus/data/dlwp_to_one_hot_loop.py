"""fchollet/deep-learning-with-python-notebooks first_edition/3.6: np.zeros((len, dim)) + loop results[i, label] = 1."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'np.eye and keras.utils.to_categorical give float64'

import numpy as np
import input_data


def one_hot(labels, num_classes=10):
    results = np.zeros((len(labels), num_classes))
    for i, label in enumerate(labels):
        results[i, label] = 1.
    return results


def load_data(data_dir="data/fashion", source_url=None, validation_size=5000):
    sets = input_data.read_data_sets(data_dir, source_url=source_url, validation_size=validation_size)
    return sets.train.images, one_hot(sets.train.labels), sets.test.images, one_hot(sets.test.labels)
