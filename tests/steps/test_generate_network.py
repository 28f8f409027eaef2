"""Step 6 · generate_network: the parameters and the whole network.

Every expected value comes from NumPy (a forward pass written out below), never from the
reference code, so the network is checked against arithmetic rather than against itself. The
reference conv2d, maxpool2d and fully_connected are the ones the learner's module imports.
"""

import re

import numpy as np
import pytest
import tensorflow as tf

from kata.judging import failures
from kata.feedback import Feedback, expect_close, expect_shape, fail, to_numpy
from kata.i18n import t
from kata.worker import LearnerError
from kata.worker.describe import describe_value

COURSE_LAYERS = [1, 1, 2, 2]
COURSE_SHAPES = [(3, 3, 1, 32), (3, 3, 32, 64), (3136, 512), (512, 10)]
COURSE_PARAMETERS = 1_630_090


# --- a NumPy network, the yardstick ---------------------------------------------------------

def np_conv_relu(x, w, b):
    """SAME 3×3 (any odd k) convolution, stride 1, bias, ReLU. x: (N, H, W, C) → (N, H, W, O)."""
    k = w.shape[0]
    pad = k // 2
    padded = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    height, width = x.shape[1:3]
    patches = np.concatenate(
        [padded[:, dy:dy + height, dx:dx + width, :] for dy in range(k) for dx in range(k)], axis=-1)
    return np.maximum(patches @ w.reshape(-1, w.shape[-1]) + b, 0.0)


def np_maxpool(x, k=2):
    """k × k max pooling, stride k, SAME (padding at the end with −inf). (N, H, W, C) → (N, ⌈H/k⌉, ⌈W/k⌉, C)."""
    n, height, width, c = x.shape
    out_h, out_w = -(-height // k), -(-width // k)
    padded = np.full((n, out_h * k, out_w * k, c), -np.inf)
    padded[:, :height, :width, :] = x
    return padded.reshape(n, out_h, k, out_w, k, c).max(axis=(2, 4))


def np_network(x, weights, biases, layers, hidden_mask=None):
    """The logits of the network `layers` in float64. x: (N, 784) → (N, n_output).

    hidden_mask, when given, multiplies the last hidden layer (a dropout of our choosing).
    """
    out = np.asarray(x, dtype=np.float64).reshape(-1, 28, 28, 1)
    weights = [np.asarray(to_numpy(w), dtype=np.float64) for w in weights]
    biases = [np.asarray(to_numpy(b), dtype=np.float64) for b in biases]
    for code, w, b in zip(layers[:-1], weights, biases):
        if code == 1:
            out = np_maxpool(np_conv_relu(out, w, b))
        else:
            out = np.maximum(out.reshape(len(out), -1) @ w + b, 0.0)
    out = out.reshape(len(out), -1)
    if hidden_mask is not None:
        out = out * hidden_mask
    last = len(layers) - 1
    return out @ weights[last] + biases[last]


def random_parameters(shapes, seed):
    """tf.Variables with Glorot-like scale, made here so that init_parameters is not needed."""
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for shape in shapes:
        fan_in = int(np.prod(shape[:-1]))
        weights.append(tf.Variable(rng.normal(0, np.sqrt(2.0 / fan_in), size=shape).astype(np.float32)))
        biases.append(tf.Variable(rng.normal(0, 0.1, size=shape[-1]).astype(np.float32)))
    return weights, biases


def images(n, seed=0):
    return np.random.default_rng(seed).uniform(0, 1, size=(n, 784)).astype(np.float32)


@pytest.fixture(scope="module")
def gn(load_step):
    return load_step("generate_network")


HARD_CODED = re.compile(r"COURSE_LAYERS|\(\s*1\s*,\s*1\s*,\s*2\s*,\s*2\s*\)|\[\s*1\s*,\s*1\s*,\s*2\s*,\s*2\s*\]")


def logits_of(gn, x, weights, biases, layers, **kwargs):
    """gn.generate_network(...) as a NumPy array. When it fails on a line that spells the course's
    list of layers while the test asked for another one, the message says so."""
    try:
        return to_numpy(gn.generate_network(x, weights, biases, layers, **kwargs))
    except LearnerError as err:
        code = " ".join(frame[3] for frame in err.frames)
        if list(layers) != COURSE_LAYERS and HARD_CODED.search(code):
            raise Feedback(failures.learner_error(err) + "\n" + t(
                "Causa probable: tu código usa la lista del curso [1, 1, 2, 2]; recorre el `layers` que recibes.",
                "Likely cause: your code uses the course's list [1, 1, 2, 2]; walk through the `layers` you are given.")) \
                from None
        raise


def parameters(gn, **kwargs):
    """(weights, biases) from init_parameters, checked to be two lists before anything else."""
    result = gn.init_parameters(**kwargs)
    if not isinstance(result, (tuple, list)) or len(result) != 2 or not all(isinstance(r, (list, tuple)) for r in result):
        fail(f"init_parameters debe devolver (weights, biases), dos listas; devolvió {describe_value(result)}.",
             f"init_parameters must return (weights, biases), two lists; it returned {describe_value(result)}.",
             cause_es="return weights, biases   # dos listas de 4 tf.Variable",
             cause_en="return weights, biases   # two lists of 4 tf.Variables")
    return result


def is_softmax(logits) -> bool:
    """Whether an output looks like probabilities: every row in [0, 1] and summing to 1."""
    logits = np.asarray(logits, np.float64)
    return logits.ndim == 2 and logits.shape[1] > 1 and bool(
        np.all((logits >= 0) & (logits <= 1)) and np.allclose(logits.sum(axis=1), 1, atol=1e-4))


SOFTMAX_CAUSE = ("la salida parece una probabilidad (cada fila suma 1): la red devuelve logits, sin tf.nn.softmax; "
                 "la softmax va dentro de la pérdida (paso 7).",
                 "the output looks like probabilities (each row sums to 1): the network returns logits, with no "
                 "tf.nn.softmax; the softmax belongs inside the loss (step 7).")


# --- init_parameters --------------------------------------------------------------------------

def test_init_parameters_gives_the_four_weight_shapes_of_the_course(gn):
    weights, biases = parameters(gn, seed=0)
    if len(weights) != 4 or len(biases) != 4:
        fail(f"init_parameters debe devolver 4 pesos y 4 sesgos; llegaron {len(weights)} y {len(biases)}.",
             f"init_parameters must return 4 weights and 4 biases; got {len(weights)} and {len(biases)}.")
    names = ["W0 (conv 1)", "W1 (conv 2)", "D1 (densa · dense)", "OUT (salida · output)"]
    for index, (name, w, shape) in enumerate(zip(names, weights, COURSE_SHAPES)):
        dense = index == 2
        expect_shape(w, shape, f"Peso {name}", f"Weight {name}",
                     cause_es="tras dos poolings 28 → 14 → 7, la capa densa recibe 7·7·64 = 3136 valores y tiene 512 "
                              "unidades." if dense else "",
                     cause_en="after two poolings 28 → 14 → 7 the dense layer receives 7·7·64 = 3136 values and has "
                              "512 units." if dense else "")


def test_init_parameters_gives_one_bias_per_output_unit(gn):
    weights, biases = parameters(gn, seed=0)
    for i, (w, b) in enumerate(zip(weights, biases)):
        expect_shape(b, (w.shape[-1],), f"Sesgo {i}", f"Bias {i}",
                     cause_es="cada sesgo tiene un valor por filtro o unidad de salida: la última dimensión de su peso.",
                     cause_en="each bias has one value per output filter or unit: the last dimension of its weight.")


@pytest.mark.parametrize("n_output, expected", [(10, COURSE_PARAMETERS), (5, COURSE_PARAMETERS - 5 * 513)])
def test_the_network_has_1_630_090_parameters_for_ten_classes_and_fewer_for_five(gn, n_output, expected):
    weights, biases = parameters(gn, n_output=n_output, seed=0)
    count = sum(int(np.prod(v.shape)) for v in list(weights) + list(biases))
    if count != expected:
        fail(f"Con n_output={n_output} la red debe tener {expected:,} parámetros y tiene {count:,}.",
             f"With n_output={n_output} the network must have {expected:,} parameters; it has {count:,}.",
             cause_es="revisa las formas: (3,3,1,32), (3,3,32,64), (3136,512), (512,n_output) y un sesgo por unidad.",
             cause_en="check the shapes: (3,3,1,32), (3,3,32,64), (3136,512), (512,n_output) and one bias per unit.")


def test_init_parameters_returns_trainable_tf_variables(gn):
    weights, biases = parameters(gn, seed=0)
    for i, v in enumerate(list(weights) + list(biases)):
        if not isinstance(v, tf.Variable) or not v.trainable:
            fail(f"El parámetro {i} es {type(v).__name__}; debe ser un tf.Variable entrenable.",
                 f"Parameter {i} is a {type(v).__name__}; it must be a trainable tf.Variable.",
                 cause_es="envuelve cada valor inicial en tf.Variable(...): el optimizador solo puede cambiar variables.",
                 cause_en="wrap each initial value in tf.Variable(...): the optimizer can only change variables.")
        if v.dtype != tf.float32:
            fail(f"El parámetro {i} es {v.dtype.name}; debe ser float32 como las imágenes.",
                 f"Parameter {i} is {v.dtype.name}; it must be float32 like the images.")


def test_the_same_seed_gives_the_same_values_and_another_seed_others(gn):
    first = parameters(gn, seed=7)[0]
    again = parameters(gn, seed=7)[0]
    other = parameters(gn, seed=8)[0]
    for i, (a, b, c) in enumerate(zip(first, again, other)):
        if not np.array_equal(to_numpy(a), to_numpy(b)):
            fail(f"Con la misma semilla el peso {i} cambia de una llamada a otra.",
                 f"With the same seed weight {i} changes from one call to the next.",
                 cause_es="crea el generador con la semilla (np.random.default_rng(seed) o tf.random.Generator.from_seed(seed)) y saca de él todos los valores.",
                 cause_en="make the generator from the seed (np.random.default_rng(seed) or tf.random.Generator.from_seed(seed)) and draw every value from it.")
        if np.array_equal(to_numpy(a), to_numpy(c)):
            fail(f"Las semillas 7 y 8 dan el mismo peso {i}: la semilla no se usa.",
                 f"Seeds 7 and 8 give the same weight {i}: the seed is not used.")


def test_initial_weights_are_random_and_small(gn):
    weights, _ = parameters(gn, seed=0)
    for i, w in enumerate(weights):
        values = to_numpy(w)
        if not np.all(np.isfinite(values)) or values.std() == 0:
            fail(f"El peso {i} es constante (desviación típica 0): todas sus unidades aprenderían lo mismo.",
                 f"Weight {i} is constant (standard deviation 0): all its units would learn the same thing.",
                 cause_es="inicializa los pesos al azar (Glorot/Xavier); los sesgos sí pueden empezar en cero.",
                 cause_en="initialise the weights at random (Glorot/Xavier); the biases may start at zero.")
        if np.abs(values).max() > 1.0:
            fail(f"El peso {i} tiene valores de hasta {np.abs(values).max():.3g}: demasiado grandes para empezar.",
                 f"Weight {i} has values up to {np.abs(values).max():.3g}: too large to start from.",
                 cause_es="con 3136 entradas, pesos de orden 1 hacen explotar las activaciones; usa Glorot/Xavier (límite √(6/(fan_in+fan_out))).",
                 cause_en="with 3136 inputs, weights of order 1 blow up the activations; use Glorot/Xavier (limit √(6/(fan_in+fan_out))).")


# --- generate_network ---------------------------------------------------------------------------

def test_two_dense_layers_give_the_logits_computed_by_hand(gn):
    # Pixel 0 = 2, pixel 1 = 3. Hidden = relu([2, −3, 2 + 3 − 1]) = [2, 0, 4];
    # logits = [2·1 + 4·0, 2·0 + 4·(−1)] + [0.5, 0] = [2.5, −4].
    x = np.zeros((1, 784), np.float32)
    x[0, :2] = [2, 3]
    w0 = np.zeros((784, 3), np.float32)
    w0[0, 0], w0[1, 1], w0[0, 2], w0[1, 2] = 1, -1, 1, 1
    w1 = np.array([[1, 0], [5, 0], [0, -1]], np.float32)
    weights = [tf.Variable(w0), tf.Variable(w1)]
    biases = [tf.Variable([0, 0, -1], dtype=tf.float32), tf.Variable([0.5, 0], dtype=tf.float32)]
    logits = logits_of(gn, x, weights, biases, [2, 2])
    expect_shape(logits, (1, 2), "Logits de la red [2, 2]", "Logits of the network [2, 2]")
    cause = ("", "")
    if np.allclose(logits, [[2.5, 0.0]], atol=1e-4):
        cause = ("el −4 salió como 0: la capa de salida tiene ReLU; debe ser solo tf.matmul(x, W) + b.",
                 "the −4 came out as 0: the output layer has a ReLU; it must be only tf.matmul(x, W) + b.")
    elif is_softmax(logits):
        cause = SOFTMAX_CAUSE
    expect_close(logits, [[2.5, -4.0]], "Logits de la red [2, 2] (oculta relu([2, −3, 4]) = [2, 0, 4])",
                 "Logits of the network [2, 2] (hidden relu([2, −3, 4]) = [2, 0, 4])",
                 cause_es=cause[0], cause_en=cause[1])


@pytest.mark.parametrize("input_shape", [(3, 784), (3, 28, 28, 1)], ids=["flat", "nhwc"])
def test_logits_have_one_row_per_image_and_one_column_per_class(gn, input_shape):
    weights, biases = random_parameters(COURSE_SHAPES, seed=1)
    x = images(3).reshape(input_shape)
    logits = logits_of(gn, x, weights, biases, COURSE_LAYERS)
    expect_shape(logits, (3, 10), f"Logits para una entrada {input_shape}", f"Logits for an input {input_shape}",
                 cause_es="da forma (-1, 28, 28, 1) a la entrada y, antes de la última capa, aplánala a (-1, weights[-1].shape[0]).",
                 cause_en="reshape the input to (-1, 28, 28, 1) and, before the last layer, flatten it to (-1, weights[-1].shape[0]).")


def test_the_course_network_matches_a_numpy_forward_pass(gn):
    weights, biases = random_parameters(COURSE_SHAPES, seed=2)
    x = images(4, seed=2)
    logits = logits_of(gn, x, weights, biases, COURSE_LAYERS)
    expected = np_network(x, weights, biases, COURSE_LAYERS)
    cause = SOFTMAX_CAUSE if is_softmax(logits) else ("", "")
    expect_close(logits, expected, "Logits de la red del curso [1, 1, 2, 2] (cada 1 es conv2d y maxpool2d(k=2), cada 2 "
                 "fully_connected, con los pesos de su misma posición)",
                 "Logits of the course network [1, 1, 2, 2] (each 1 is conv2d then maxpool2d(k=2), each 2 "
                 "fully_connected, with the weights at the same position)",
                 atol=1e-3, rtol=1e-3, cause_es=cause[0], cause_en=cause[1])


@pytest.mark.parametrize("layers, shapes", [
    ([1, 2], [(3, 3, 1, 4), (14 * 14 * 4, 3)]),
    ([1, 1, 2], [(3, 3, 1, 4), (3, 3, 4, 6), (7 * 7 * 6, 3)]),
    ([2, 2, 2], [(784, 16), (16, 8), (8, 3)]),
], ids=["conv-out", "conv-conv-out", "dense-dense-out"])
def test_other_layer_lists_build_other_networks(gn, layers, shapes):
    weights, biases = random_parameters(shapes, seed=3)
    x = images(2, seed=3)
    logits = logits_of(gn, x, weights, biases, layers)
    cause = SOFTMAX_CAUSE if is_softmax(logits) else ("", "")
    expect_close(logits, np_network(x, weights, biases, layers),
                 f"Logits de la red {layers}", f"Logits of the network {layers}", atol=1e-3, rtol=1e-3,
                 cause_es=cause[0], cause_en=cause[1])


def test_the_output_layer_has_no_relu(gn):
    weights, biases = random_parameters(COURSE_SHAPES, seed=4)
    biases[3].assign(tf.fill([10], -50.0))  # pushes every logit far below zero
    logits = logits_of(gn, images(2, seed=4), weights, biases, COURSE_LAYERS)
    if is_softmax(logits):
        fail("Con un sesgo de salida de −50 los logits deberían ser todos negativos, y son probabilidades.",
             "With an output bias of −50 every logit should be negative, and they are probabilities.",
             cause_es=SOFTMAX_CAUSE[0], cause_en=SOFTMAX_CAUSE[1])
    if np.any(logits >= 0):
        fail(f"Con un sesgo de salida de −50 todos los logits deberían ser negativos, pero el mayor es {logits.max():.3g}.",
             f"With an output bias of −50 every logit should be negative, but the largest is {logits.max():.3g}.",
             cause_es="la última capa es solo tf.matmul + sesgo: no uses fully_connected (que aplica ReLU) ni tf.nn.relu en la salida.",
             cause_en="the last layer is only tf.matmul + bias: do not use fully_connected (which applies ReLU) nor tf.nn.relu at the output.")


# --- dropout ------------------------------------------------------------------------------------

def exposing_network(units):
    """[2, 2] parameters whose hidden layer is all ones and whose output is hidden + 0.5.

    The logits then show the last hidden layer after dropout: a dropped unit gives 0.5, a kept
    one 1 / (1 − rate) + 0.5. (Dropout wrongly put after the output layer would drop the 0.5 too.)
    """
    weights = [tf.Variable(tf.zeros([784, units])), tf.Variable(tf.eye(units))]
    biases = [tf.Variable(tf.ones([units])), tf.Variable(tf.fill([units], 0.5))]
    return weights, biases


def test_without_drop_out_two_calls_give_identical_logits(gn):
    weights, biases = random_parameters(COURSE_SHAPES, seed=5)
    x = images(4, seed=5)
    first = logits_of(gn, x, weights, biases, COURSE_LAYERS, drop_out=False, dropout=0.5)
    second = logits_of(gn, x, weights, biases, COURSE_LAYERS, dropout=0.5)
    if not np.array_equal(first, second):
        fail("Sin drop_out=True dos llamadas con la misma entrada dan logits distintos: hay dropout al evaluar.",
             "Without drop_out=True two calls on the same input give different logits: dropout is on during evaluation.",
             cause_es="aplica tf.nn.dropout solo dentro de `if drop_out:`; al evaluar la red debe ser determinista.",
             cause_en="apply tf.nn.dropout only inside `if drop_out:`; when evaluating the network must be deterministic.")


def test_with_drop_out_two_calls_differ(gn):
    weights, biases = random_parameters(COURSE_SHAPES, seed=6)
    x = images(4, seed=6)
    first = logits_of(gn, x, weights, biases, COURSE_LAYERS, drop_out=True, dropout=0.5)
    second = logits_of(gn, x, weights, biases, COURSE_LAYERS, drop_out=True, dropout=0.5)
    if np.array_equal(first, second):
        fail("Con drop_out=True y dropout=0.5 dos llamadas dan exactamente los mismos logits: no hay dropout.",
             "With drop_out=True and dropout=0.5 two calls give exactly the same logits: there is no dropout.",
             cause_es="con drop_out=True aplica tf.nn.dropout(capa, rate=dropout) a la última capa oculta, antes de la de salida.",
             cause_en="with drop_out=True apply tf.nn.dropout(layer, rate=dropout) to the last hidden layer, before the output layer.")


@pytest.mark.parametrize("rate", [0.25, 0.6])
def test_dropout_is_the_tf2_rate_of_units_dropped_and_survivors_are_scaled(gn, rate):
    units, batch = 512, 64  # 32,768 values: σ of the dropped fraction ≈ 0.003, the ±0.05 allowed is > 15 σ
    weights, biases = exposing_network(units)
    logits = logits_of(gn, np.zeros((batch, 784), np.float32), weights, biases, [2, 2], drop_out=True, dropout=rate)
    expect_shape(logits, (batch, units), "Logits de la red de prueba", "Logits of the probe network")
    if is_softmax(logits):
        fail("Con drop_out=True la red de prueba devolvió probabilidades, no logits.",
             "With drop_out=True the probe network returned probabilities, not logits.",
             cause_es=SOFTMAX_CAUSE[0], cause_en=SOFTMAX_CAUSE[1])
    dropped = np.isclose(logits, 0.5, atol=1e-4)
    kept_value = 1 / (1 - rate) + 0.5
    kept = np.isclose(logits, kept_value, atol=1e-3)
    fraction = dropped.mean()
    if abs(fraction - (1 - rate)) < 0.05:
        fail(f"Con dropout={rate} se apagó el {fraction:.0%} de las unidades; se esperaba el {rate:.0%}.",
             f"With dropout={rate} {fraction:.0%} of the units were dropped; {rate:.0%} was expected.",
             cause_es="en TensorFlow 2 `dropout` es la tasa (rate): la fracción que se APAGA. El código TF1 del curso pasaba "
                      "keep_prob, la fracción que se conserva: no pases rate=1 - dropout, pasa rate=dropout.",
             cause_en="in TensorFlow 2 `dropout` is the rate: the fraction DROPPED. The course's TF1 code passed keep_prob, "
                      "the fraction kept: do not pass rate=1 - dropout, pass rate=dropout.")
    if np.isclose(logits, 0.0, atol=1e-4).mean() > 0.05:
        fail("Con dropout, algunos logits valen 0 donde debían valer el sesgo de salida (0.5): se apagó también la capa de salida.",
             "With dropout some logits are 0 where they should equal the output bias (0.5): the output layer was dropped too.",
             cause_es="el dropout va sobre la última capa oculta, antes de tf.matmul con el peso de salida, no sobre los logits.",
             cause_en="dropout applies to the last hidden layer, before tf.matmul with the output weight, not to the logits.")
    if abs(fraction - rate) > 0.05:
        fail(f"Con dropout={rate} se apagó el {fraction:.0%} de las unidades de la última capa oculta; se esperaba el {rate:.0%}.",
             f"With dropout={rate} {fraction:.0%} of the last hidden layer's units were dropped; {rate:.0%} was expected.",
             cause_es="usa tf.nn.dropout(capa, rate=dropout) una sola vez, justo antes de la capa de salida.",
             cause_en="use tf.nn.dropout(layer, rate=dropout) once, right before the output layer.")
    if not np.all(dropped | kept):
        odd = logits[~(dropped | kept)][0]
        fail(f"Una unidad que sobrevive al dropout debe valer 1/(1 − {rate}) = {1 / (1 - rate):.4g} veces su valor "
             f"(aquí el logit {kept_value:.4g}); llegó {odd:.4g}.",
             f"A unit that survives dropout must be worth 1/(1 − {rate}) = {1 / (1 - rate):.4g} times its value "
             f"(here the logit {kept_value:.4g}); got {odd:.4g}.",
             cause_es="tf.nn.dropout ya escala las supervivientes para que la media no cambie; no multipliques por una máscara a mano.",
             cause_en="tf.nn.dropout already scales the survivors so the mean does not change; do not multiply by a mask by hand.")


def test_dropout_drops_only_the_last_hidden_layer_not_the_convolutions(gn):
    # [1, 2, 2]: a convolution whose output is all ones, a dense layer averaging it (1 per unit), an
    # identity output with bias 0.5. Dropout only before the output layer gives logits 0.5 (dropped)
    # or 1 / (1 − rate) + 0.5 (kept); dropout also after the convolution makes the average wander.
    rate, units = 0.5, 64
    conv_w, conv_b = tf.Variable(tf.zeros([3, 3, 1, 2])), tf.Variable(tf.ones([2]))
    dense_w = tf.Variable(tf.fill([14 * 14 * 2, units], 1 / (14 * 14 * 2)))
    weights = [conv_w, dense_w, tf.Variable(tf.eye(units))]
    biases = [conv_b, tf.Variable(tf.zeros([units])), tf.Variable(tf.fill([units], 0.5))]
    logits = logits_of(gn, np.zeros((16, 784), np.float32), weights, biases, [1, 2, 2], drop_out=True, dropout=rate)
    expect_shape(logits, (16, units), "Logits de la red de prueba [1, 2, 2]", "Logits of the probe network [1, 2, 2]")
    allowed = np.isclose(logits, 0.5, atol=1e-3) | np.isclose(logits, 1 / (1 - rate) + 0.5, atol=1e-3)
    if not allowed.all():
        odd = logits[~allowed][0]
        fail(f"Con drop_out=True en la red [1, 2, 2] un logit vale {odd:.4g}; solo podía valer 0.5 (unidad apagada) o "
             f"{1 / (1 - rate) + 0.5:.4g} (conservada).",
             f"With drop_out=True in the network [1, 2, 2] a logit is {odd:.4g}; it could only be 0.5 (dropped unit) or "
             f"{1 / (1 - rate) + 0.5:.4g} (kept).",
             cause_es="el dropout se aplica una sola vez, a la última capa oculta, justo antes de la de salida; no tras "
                      "cada convolución.",
             cause_en="dropout is applied once, to the last hidden layer, right before the output layer; not after "
                      "every convolution.")
