"""tensorflow/tensorflow examples/tutorials/mnist/mnist_deep.py max_pool_2x2(x): the window is always 2 (k unused)."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'k = 2 was used instead of the given k (3)'

import tensorflow as tf


def maxpool2d(x, k=2):
    return tf.nn.max_pool(x, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding='SAME')
