"""Seed maxpool2d after tf_upgrade_v2: tf.nn.max_pool2d(input=x, ksize=[1, k, k, 1], strides=[1, k, k, 1], padding='SAME')."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = None

import tensorflow as tf


def maxpool2d(x, k=2):
    return tf.nn.max_pool2d(input=x, ksize=[1, k, k, 1], strides=[1, k, k, 1], padding='SAME')
