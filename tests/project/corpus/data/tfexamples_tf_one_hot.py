"""aymericdamien/TensorFlow-Examples tensorflow_v2 convolutional_network_raw.ipynb: tf.one_hot(y, depth=num_classes)."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = None

import tensorflow as tf
import input_data


def one_hot(labels, num_classes=10):
    return tf.one_hot(labels, depth=num_classes)


def load_data(data_dir="data/fashion", source_url=None, validation_size=5000):
    sets = input_data.read_data_sets(data_dir, source_url=source_url, validation_size=validation_size)
    return (sets.train.images, one_hot(sets.train.labels).numpy(),
            sets.test.images, one_hot(sets.test.labels).numpy())
