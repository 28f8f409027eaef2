"""tensorflow/tensorflow examples/tutorials/mnist/mnist_deep.py: conv2d(x, W) with strides=[1, 1, 1, 1]; relu(conv + b) at the call site."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'the stride (strides=2) was ignored'

import tensorflow as tf


def conv2d(x, W, b, strides=1):
    return tf.nn.relu(tf.nn.conv2d(x, W, strides=[1, 1, 1, 1], padding='SAME') + b)
