"""Forgets the bias."""

import tensorflow as tf


def conv2d(x, W, b, strides=1):
    return tf.nn.relu(tf.nn.conv2d(x, W, strides=[1, strides, strides, 1], padding="SAME"))
