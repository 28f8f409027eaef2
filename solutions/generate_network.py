"""Paso 6 · generate_network — los parámetros y la red completa.

La red del curso, NHWC de principio a fin:

    entrada (lote, 784) → reshape (lote, 28, 28, 1)
    → conv 3×3, 32 filtros, ReLU → max pool 2 → (lote, 14, 14, 32)
    → conv 3×3, 64 filtros, ReLU → max pool 2 → (lote, 7, 7, 64)
    → densa 3136 → 512, ReLU → [dropout] → densa 512 → 10: los logits (sin ReLU)

`layers` la describe con un código por peso: 1 = convolución + pooling, 2 = densa (fully
connected); la última entrada es la capa de salida, siempre afín. La lista del curso es [1, 1, 2, 2].

Dropout: `tf.nn.dropout(x, rate=r)` de TensorFlow 2 pone a cero una fracción r de los valores y
multiplica los demás por 1 / (1 − r). El código TensorFlow 1 del curso pasaba la probabilidad de
*conservar*: allí `dropout=0.75` significaba conservar el 75 %; aquí significa apagar el 75 %.

———

Step 6 · generate_network — the parameters and the whole network.

The course network, NHWC throughout:

    input (batch, 784) → reshape (batch, 28, 28, 1)
    → conv 3×3, 32 filters, ReLU → max pool 2 → (batch, 14, 14, 32)
    → conv 3×3, 64 filters, ReLU → max pool 2 → (batch, 7, 7, 64)
    → dense 3136 → 512, ReLU → [dropout] → dense 512 → 10: the logits (no ReLU)

`layers` describes it with one code per weight: 1 = convolution + pooling, 2 = fully connected;
the last entry is the output layer, always affine. The course's list is [1, 1, 2, 2].

Dropout: TensorFlow 2's `tf.nn.dropout(x, rate=r)` sets a fraction r of the values to zero and
scales the others by 1 / (1 − r). The course's TensorFlow 1 code passed the *keep* probability
instead: `dropout=0.75` there meant keep 75 %, here it means drop 75 %.
"""

import numpy as np
import tensorflow as tf

from conv2d import conv2d
from fully_connected import fully_connected
from maxpool2d import maxpool2d

COURSE_LAYERS = (1, 1, 2, 2)


def _glorot(rng, shape):
    """Valores Glorot uniformes: mantienen la escala de la señal de una capa a la siguiente.

    ———

    Glorot-uniform values: keep the signal's scale steady from layer to layer.
    """
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    fan_in, fan_out = shape[-2] * receptive, shape[-1] * receptive
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(np.float32)


def init_parameters(n_output=10, seed=None):
    """Los pesos y los sesgos de la red del curso, como tf.Variable.

    Devuelve (weights, biases), dos listas de 4 en el orden de las capas. Pesos: (3, 3, 1, 32),
    (3, 3, 32, 64), (3136, 512), (512, n_output), Glorot uniforme; sesgos: (32,), (64,), (512,),
    (n_output,), a cero. 1.630.090 parámetros con n_output = 10. La misma semilla da los mismos valores.

    ———

    The course network's weights and biases, as tf.Variables.

    Returns (weights, biases), two lists of 4 in layer order. Weights: (3, 3, 1, 32),
    (3, 3, 32, 64), (3136, 512), (512, n_output), Glorot-uniform; biases: (32,), (64,), (512,),
    (n_output,), zeros. 1,630,090 parameters for n_output = 10. The same seed gives the same values.
    """
    ### BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    shapes = [("W0", (3, 3, 1, 32)), ("W1", (3, 3, 32, 64)), ("D1", (7 * 7 * 64, 512)), ("OUT", (512, n_output))]
    bias_names = ["B0", "B1", "BD1", "BOUT"]
    weights = [tf.Variable(_glorot(rng, shape), name=name) for name, shape in shapes]
    biases = [tf.Variable(tf.zeros([shape[-1]]), name=name) for name, (_, shape) in zip(bias_names, shapes)]
    return weights, biases
    ### END SOLUTION


def generate_network(x, weights, biases, layers, drop_out=False, dropout=None):
    """Los logits de la red que describe `layers`.

    x: (lote, 784) o (lote, 28, 28, 1) float32.
    weights, biases: como los devuelve `init_parameters`, un par por entrada de `layers`.
    layers: códigos, 1 = conv2d + maxpool2d, 2 = fully_connected; la última entrada es la capa de salida.
    drop_out: aplica dropout antes de la capa de salida (solo al entrenar).
    dropout: la tasa de TensorFlow 2, la fracción de valores que se apaga, en [0, 1).
    Devuelve (lote, n_output) logits: sin ReLU y sin softmax.

    ———

    The logits of the network described by `layers`.

    x: (batch, 784) or (batch, 28, 28, 1) float32.
    weights, biases: as `init_parameters` returns them, one pair per entry of `layers`.
    layers: codes, 1 = conv2d + maxpool2d, 2 = fully_connected; the last entry is the output layer.
    drop_out: apply dropout before the output layer (training only).
    dropout: TensorFlow 2's rate, the fraction of values dropped, in [0, 1).
    Returns (batch, n_output) logits: no ReLU, no softmax.
    """
    ### BEGIN SOLUTION
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
        previous = tf.nn.dropout(previous, rate=dropout)
    last = len(layers) - 1
    previous = tf.reshape(previous, [-1, weights[last].shape[0]])
    return tf.add(tf.matmul(previous, weights[last]), biases[last])
    ### END SOLUTION
