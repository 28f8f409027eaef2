"""Seed Paso 1.6 after tf_upgrade_v2 (script shipped with TF 2.21): tf.nn.dropout(x, keep_prob) becomes
tf.nn.dropout(x, rate=1 - (keep_prob)); get_variable becomes tf.compat.v1.get_variable; the rest as in the seed."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'With the same seed weight 0 changes'

import tensorflow as tf

from conv2d import conv2d
from fully_connected import fully_connected
from maxpool2d import maxpool2d


def init_parameters(n_output=10, seed=None):
    weights, biases = [], []
    weights.append(tf.compat.v1.get_variable('W0', shape=(3, 3, 1, 32)))
    biases.append(tf.compat.v1.get_variable('B0', shape=(32)))
    weights.append(tf.compat.v1.get_variable('W1', shape=(3, 3, 32, 64)))
    biases.append(tf.compat.v1.get_variable('B1', shape=(64)))
    weights.append(tf.compat.v1.get_variable('D1', shape=(7 * 7 * 64, 512)))
    biases.append(tf.compat.v1.get_variable('BD1', shape=(512)))
    weights.append(tf.compat.v1.get_variable('OUT', shape=(512, n_output)))
    biases.append(tf.compat.v1.get_variable('BOUT', shape=(n_output)))
    return weights, biases


def generate_network(x, weights, biases, layers, drop_out=False, dropout=None):
    previous_layer = tf.reshape(x, shape=[-1, 28, 28, 1])
    new_layer = None
    for i in range(len(layers) - 1):
        if layers[i] == 1:
            new_layer = conv2d(previous_layer, weights[i], biases[i])
            new_layer = maxpool2d(new_layer, k=2)
        if layers[i] == 2:
            new_layer = fully_connected(previous_layer, weights[i], biases[i])
        previous_layer = new_layer
    if drop_out:
        previous_layer = tf.nn.dropout(previous_layer, rate=1 - (dropout))
    return tf.add(tf.matmul(previous_layer, weights[len(layers) - 1]), biases[len(layers) - 1])
