"""tf.random.Generator for the initial values, tf.einsum for the output layer, a table of layer builders.

Same network as the reference: Glorot-uniform weights drawn by TensorFlow's own seeded generator
(not NumPy), small constant biases, and the output layer written as an Einstein sum.
"""

import math

import tensorflow as tf

from conv2d import conv2d
from fully_connected import fully_connected
from maxpool2d import maxpool2d

COURSE_LAYERS = (1, 1, 2, 2)


def init_parameters(n_output=10, seed=None):
    """(weights, biases): (3,3,1,32), (3,3,32,64), (3136,512), (512,n_output) and one bias per unit."""
    generator = tf.random.Generator.from_seed(seed) if seed is not None else tf.random.Generator.from_non_deterministic_state()
    weights, biases = [], []
    for shape in [(3, 3, 1, 32), (3, 3, 32, 64), (3136, 512), (512, n_output)]:
        receptive = math.prod(shape[:-2])
        limit = math.sqrt(6.0 / (receptive * (shape[-2] + shape[-1])))
        weights.append(tf.Variable(generator.uniform(shape, -limit, limit)))
        biases.append(tf.Variable(tf.fill([shape[-1]], 0.01)))
    return weights, biases


_BUILDERS = {
    1: lambda h, w, b: maxpool2d(conv2d(h, w, b)),
    2: fully_connected,
}


def generate_network(x, weights, biases, layers, drop_out=False, dropout=None):
    """(batch, 784) or (batch, 28, 28, 1) → (batch, n_output) logits."""
    hidden = tf.reshape(x, (-1, 28, 28, 1))
    *inner, _ = layers
    for index, code in enumerate(inner):
        hidden = _BUILDERS[code](hidden, weights[index], biases[index])
    if drop_out:
        hidden = tf.nn.dropout(hidden, rate=dropout)
    w_out, b_out = weights[len(inner)], biases[len(inner)]
    flat = tf.reshape(hidden, (tf.shape(hidden)[0], -1))
    return tf.einsum("bi,io->bo", flat, w_out) + b_out
