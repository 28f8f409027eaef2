"""aymericdamien/TensorFlow-Examples tensorflow_v2 convolutional_network_raw.ipynb: RandomNormal() weights, zero biases,
get_shape().as_list() flatten, and `return tf.nn.softmax(out)` at the end of conv_net."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'the output looks like probabilities'

import tensorflow as tf

from conv2d import conv2d
from fully_connected import fully_connected
from maxpool2d import maxpool2d


def init_parameters(n_output=10, seed=None):
    random_normal = tf.initializers.RandomNormal(seed=seed)
    shapes = [(3, 3, 1, 32), (3, 3, 32, 64), (7 * 7 * 64, 512), (512, n_output)]
    weights = [tf.Variable(random_normal(shape)) for shape in shapes]
    biases = [tf.Variable(tf.zeros([shape[-1]])) for shape in shapes]
    return weights, biases


def generate_network(x, weights, biases, layers, drop_out=False, dropout=None):
    x = tf.reshape(x, [-1, 28, 28, 1])
    for code, w, b in zip(layers[:-1], weights, biases):
        x = maxpool2d(conv2d(x, w, b), k=2) if code == 1 else fully_connected(x, w, b)
    if drop_out:
        x = tf.nn.dropout(x, rate=dropout)
    x = tf.reshape(x, [-1, weights[len(layers) - 1].get_shape().as_list()[0]])
    out = tf.add(tf.matmul(x, weights[len(layers) - 1]), biases[len(layers) - 1])
    return tf.nn.softmax(out)
