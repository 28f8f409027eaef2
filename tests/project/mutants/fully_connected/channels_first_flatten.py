"""Flattens a 4-D input channels first (NCHW order) instead of NHWC."""

import tensorflow as tf


def fully_connected(x, w, b):
    if len(x.shape) == 4:
        x = tf.transpose(x, [0, 3, 1, 2])
    x = tf.reshape(x, [-1, w.shape[0]])
    return tf.nn.relu(tf.matmul(x, w) + b)
