"""Drops units with a hand-made mask but does not scale the survivors by 1 / (1 - rate).
"""

import numpy as np
import tensorflow as tf

from conv2d import conv2d
from fully_connected import fully_connected
from maxpool2d import maxpool2d

COURSE_LAYERS = (1, 1, 2, 2)


def _glorot(rng, shape):
    """Glorot-uniform values: keeps the signal's scale steady from layer to layer."""
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    fan_in, fan_out = shape[-2] * receptive, shape[-1] * receptive
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(np.float32)


def init_parameters(n_output=10, seed=None):
    """The course network's weights and biases, as tf.Variables.

    Returns (weights, biases), two lists of 4 in layer order. Weights: (3, 3, 1, 32),
    (3, 3, 32, 64), (3136, 512), (512, n_output), Glorot-uniform; biases: (32,), (64,), (512,),
    (n_output,), zeros. 1,630,090 parameters for n_output = 10. The same seed gives the same values.
    """
    rng = np.random.default_rng(seed)
    shapes = [("W0", (3, 3, 1, 32)), ("W1", (3, 3, 32, 64)), ("D1", (7 * 7 * 64, 512)), ("OUT", (512, n_output))]
    bias_names = ["B0", "B1", "BD1", "BOUT"]
    weights = [tf.Variable(_glorot(rng, shape), name=name) for name, shape in shapes]
    biases = [tf.Variable(tf.zeros([shape[-1]]), name=name) for name, (_, shape) in zip(bias_names, shapes)]
    return weights, biases


def generate_network(x, weights, biases, layers, drop_out=False, dropout=None):
    """The logits of the network described by `layers`.

    x: (batch, 784) or (batch, 28, 28, 1) float32.
    weights, biases: as `init_parameters` returns them, one pair per entry of `layers`.
    layers: codes, 1 = conv2d + maxpool2d, 2 = fully_connected; the last entry is the output layer.
    drop_out: apply dropout before the output layer (training only).
    dropout: TensorFlow 2's rate, the fraction of values dropped, in [0, 1).
    Returns (batch, n_output) logits: no ReLU, no softmax.
    """
    if drop_out and (dropout is None or not 0 <= dropout < 1):
        raise ValueError(f"dropout must be a rate in [0, 1) when drop_out is True, got {dropout!r}")
    previous = tf.reshape(x, [-1, 28, 28, 1])
    for code, w, b in zip(layers[:-1], weights, biases):
        if code == 1:
            previous = maxpool2d(conv2d(previous, w, b), k=2)
        elif code == 2:
            previous = fully_connected(previous, w, b)
        else:
            raise ValueError(f"unknown layer code {code!r}: use 1 (convolution) or 2 (fully connected)")
    if drop_out and dropout:
        previous = previous * tf.cast(tf.random.uniform(tf.shape(previous)) >= dropout, previous.dtype)
    last = len(layers) - 1
    previous = tf.reshape(previous, [-1, weights[last].shape[0]])
    return tf.add(tf.matmul(previous, weights[last]), biases[last])
