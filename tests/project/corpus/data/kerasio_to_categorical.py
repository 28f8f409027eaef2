"""keras-team/keras-io examples/vision/mnist_convnet.py: keras.utils.to_categorical(y, num_classes), no cast."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'np.eye and keras.utils.to_categorical give float64'

import keras
import input_data


def one_hot(labels, num_classes=10):
    return keras.utils.to_categorical(labels, num_classes)


def load_data(data_dir="data/fashion", source_url=None, validation_size=5000):
    sets = input_data.read_data_sets(data_dir, source_url=source_url, validation_size=validation_size)
    return sets.train.images, one_hot(sets.train.labels), sets.test.images, one_hot(sets.test.labels)
