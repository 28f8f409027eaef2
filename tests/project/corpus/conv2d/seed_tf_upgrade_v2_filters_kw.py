"""Seed conv2d after tf_upgrade_v2 (TF 2.21's script): tf.nn.conv2d(x, filters=W, ...), rest unchanged."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = None

import tensorflow as tf


def conv2d(x, W, b, strides=1):
    x = tf.nn.conv2d(x, filters=W, strides=[1, strides, strides, 1], padding='SAME')
    x = tf.nn.bias_add(x, b)
    return tf.nn.relu(x)
