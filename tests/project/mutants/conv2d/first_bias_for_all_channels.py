"""Adds b[0] to every output channel instead of each channel's own bias."""

import tensorflow as tf


def conv2d(x, W, b, strides=1):
    x = tf.nn.conv2d(x, W, strides=[1, strides, strides, 1], padding="SAME")
    return tf.nn.relu(x + b[0])
