"""tensorflow/tensorflow mnist_deep.py: h_pool2_flat = tf.reshape(h_pool2, [-1, 7 * 7 * 64]); relu(matmul + b)."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'without writing the number by hand'

import tensorflow as tf


def fully_connected(x, w, b):
    flat = tf.reshape(x, [-1, 7 * 7 * 64])
    return tf.nn.relu(tf.matmul(flat, w) + b)
