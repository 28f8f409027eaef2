"""thepr0blem/tf-zalando main.py conv_net: dropout (as a rate) after every conv+pool block and after the dense layer.
(Its reshape-free input is in tfzalando_no_reshape.py; here the reshape is kept so the dropout placement shows.)"""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'not after every convolution'

import numpy as np
import tensorflow as tf

from conv2d import conv2d
from fully_connected import fully_connected
from maxpool2d import maxpool2d


def init_parameters(n_output=10, seed=None):
    init = tf.keras.initializers.GlorotUniform(seed=seed)
    shapes = [(3, 3, 1, 32), (3, 3, 32, 64), (7 * 7 * 64, 512), (512, n_output)]
    return [tf.Variable(init(shape)) for shape in shapes], [tf.Variable(tf.zeros([s[-1]])) for s in shapes]


def generate_network(x, weights, biases, layers, drop_out=False, dropout=None):
    def drop(t):
        return tf.nn.dropout(t, rate=dropout) if drop_out else t
    x = tf.reshape(x, [-1, 28, 28, 1])
    for code, w, b in zip(layers[:-1], weights, biases):
        x = drop(maxpool2d(conv2d(x, w, b), k=2) if code == 1 else fully_connected(x, w, b))
    x = tf.reshape(x, [-1, weights[len(layers) - 1].shape[0]])
    return tf.add(tf.matmul(x, weights[len(layers) - 1]), biases[len(layers) - 1])
