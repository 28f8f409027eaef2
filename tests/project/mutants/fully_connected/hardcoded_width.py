"""Flattens to a fixed width of 3136 instead of w.shape[0]."""

import tensorflow as tf


def fully_connected(x, w, b):
    x = tf.reshape(x, [-1, 3136])
    return tf.nn.relu(tf.matmul(x, w) + b)
