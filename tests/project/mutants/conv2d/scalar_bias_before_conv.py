"""Adds the bias (as one number) to the input before the convolution."""

import tensorflow as tf


def conv2d(x, W, b, strides=1):
    x = tf.nn.conv2d(x + b[0], W, strides=[1, strides, strides, 1], padding="SAME")
    return tf.nn.relu(x)
