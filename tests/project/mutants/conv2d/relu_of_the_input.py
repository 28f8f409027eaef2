"""Applies the bias and the ReLU to the input instead of to the result of the convolution."""

import tensorflow as tf


def conv2d(x, W, b, strides=1):
    conv = tf.nn.conv2d(x, W, strides=[1, strides, strides, 1], padding="SAME")  # noqa: F841 (computed, then lost)
    return tf.nn.relu(tf.nn.bias_add(x, b) if x.shape[-1] == b.shape[0] else x)
