"""ageron/handson-ml3 14_deep_computer_vision_with_cnns.ipynb: tf.nn.conv2d(images, filters, strides=1, padding="SAME") + biases (ReLU added: the kata asks for it)."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = None

import tensorflow as tf


def conv2d(x, W, b, strides=1):
    return tf.nn.relu(tf.nn.conv2d(x, W, strides=strides, padding="SAME") + b)
