"""thepr0blem/tf-zalando main.py conv_net (also the DataCamp tutorial it follows): the input placeholder was already
[None, 28, 28, 1], so conv_net starts with conv2d(x, ...) and never reshapes."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'conv2d received x shaped (3, 784)'

import tensorflow as tf

from conv2d import conv2d
from fully_connected import fully_connected
from maxpool2d import maxpool2d


def init_parameters(n_output=10, seed=None):
    init = tf.keras.initializers.GlorotUniform(seed=seed)
    shapes = [(3, 3, 1, 32), (3, 3, 32, 64), (7 * 7 * 64, 512), (512, n_output)]
    return [tf.Variable(init(shape)) for shape in shapes], [tf.Variable(tf.zeros([s[-1]])) for s in shapes]


def generate_network(x, weights, biases, layers, drop_out=False, dropout=None):
    previous = x
    for code, w, b in zip(layers[:-1], weights, biases):
        previous = maxpool2d(conv2d(previous, w, b), k=2) if code == 1 else fully_connected(previous, w, b)
    if drop_out:
        previous = tf.nn.dropout(previous, rate=dropout)
    previous = tf.reshape(previous, [-1, weights[len(layers) - 1].get_shape().as_list()[0]])
    return tf.add(tf.matmul(previous, weights[len(layers) - 1]), biases[len(layers) - 1])
