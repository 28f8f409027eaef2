"""aymericdamien/TensorFlow-Examples conv_net + seed Paso 1.5: tf.reshape(x, [-1, w.get_shape().as_list()[0]]); tf.add(tf.matmul(x, w), b); relu."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = None

import tensorflow as tf


def fully_connected(x, w, b):
    x = tf.reshape(x, [-1, w.get_shape().as_list()[0]])
    x = tf.add(tf.matmul(x, w), b)
    return tf.nn.relu(x)
