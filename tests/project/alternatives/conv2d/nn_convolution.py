"""tf.nn.convolution with an integer stride, a broadcast + for the bias and tf.maximum for the ReLU."""

import tensorflow as tf


def conv2d(x, W, b, strides=1):
    x = tf.nn.convolution(x, W, strides=strides, padding="SAME") + b
    return tf.maximum(x, 0.0)
