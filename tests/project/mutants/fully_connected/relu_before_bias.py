"""Applies the ReLU before adding the bias."""

import tensorflow as tf


def fully_connected(x, w, b):
    x = tf.reshape(x, [-1, w.shape[0]])
    return tf.nn.relu(tf.matmul(x, w)) + b
