"""one_hot fills a zero matrix by fancy indexing; load_data asks input_data for one-hot labels."""

import numpy as np

import input_data


def one_hot(labels, num_classes=10):
    labels = np.array(labels, dtype=np.intp).ravel()
    rows = np.zeros((labels.size, num_classes), dtype=np.float32)
    rows[np.arange(labels.size), labels] = 1.0
    return rows


def load_data(data_dir="data/fashion", source_url=None, validation_size=5000):
    kwargs = {"source_url": source_url} if source_url else {}
    sets = input_data.read_data_sets(data_dir, one_hot=True, validation_size=validation_size, **kwargs)
    return sets.train.images, sets.train.labels, sets.test.images, sets.test.labels
