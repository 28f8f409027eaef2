"""aymericdamien/TensorFlow-Examples (TF1 examples/3_NeuralNetworks/convolutional_network_raw.py and TF2 notebook) = seed Paso 1.5:
tf.nn.conv2d(strides=[1, s, s, 1], 'SAME') -> tf.nn.bias_add -> tf.nn.relu."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = None

import tensorflow as tf


def conv2d(x, W, b, strides=1):
    x = tf.nn.conv2d(x, W, strides=[1, strides, strides, 1], padding='SAME')
    x = tf.nn.bias_add(x, b)
    return tf.nn.relu(x)
