"""aymericdamien/TensorFlow-Examples examples/3_NeuralNetworks/convolutional_network_raw.py (TF1): every weight and bias
tf.Variable(tf.random_normal(shape)) — stddev 1 — and dropout given the keep probability (tf.nn.dropout(fc1, dropout))."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'With the same seed weight 0 changes'

import tensorflow as tf

from conv2d import conv2d
from fully_connected import fully_connected
from maxpool2d import maxpool2d


def init_parameters(n_output=10, seed=None):
    shapes = [(3, 3, 1, 32), (3, 3, 32, 64), (7 * 7 * 64, 512), (512, n_output)]
    weights = [tf.Variable(tf.random.normal(list(shape))) for shape in shapes]
    biases = [tf.Variable(tf.random.normal([shape[-1]])) for shape in shapes]
    return weights, biases


def generate_network(x, weights, biases, layers, drop_out=False, dropout=None):
    x = tf.reshape(x, shape=[-1, 28, 28, 1])
    for code, w, b in zip(layers[:-1], weights, biases):
        x = maxpool2d(conv2d(x, w, b), k=2) if code == 1 else fully_connected(x, w, b)
    if drop_out:
        x = tf.compat.v1.nn.dropout(x, keep_prob=dropout)
    x = tf.reshape(x, [-1, weights[len(layers) - 1].get_shape().as_list()[0]])
    return tf.add(tf.matmul(x, weights[len(layers) - 1]), biases[len(layers) - 1])
