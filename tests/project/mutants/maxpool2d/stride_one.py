"""Moves the window 1 pixel at a time (stride 1), so windows overlap."""

import tensorflow as tf


def maxpool2d(x, k=2):
    return tf.nn.max_pool2d(x, ksize=k, strides=1, padding="SAME")
