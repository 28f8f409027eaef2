"""thepr0blem/tf-zalando load_data.py: tf.keras.utils.to_categorical(y) (no num_classes) then np.array(dtype='f')."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'num_classes is ignored'

import numpy as np
import tensorflow as tf
import input_data


def one_hot(labels, num_classes=10):
    y = tf.keras.utils.to_categorical(labels)
    return np.array(y, dtype='f')


def load_data(data_dir="data/fashion", source_url=None, validation_size=5000):
    sets = input_data.read_data_sets(data_dir, source_url=source_url, validation_size=validation_size)
    return sets.train.images, one_hot(sets.train.labels), sets.test.images, one_hot(sets.test.labels)
