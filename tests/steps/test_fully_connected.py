"""Step 5 · fully_connected: flatten to w.shape[0] numbers per example, multiply, add b, ReLU.

Input is (batch, ...) — e.g. the (batch, 7, 7, 64) block after the convolutions, or already
(batch, units); w is (in_units, out_units) and b is (out_units,). Values are compared with NumPy.
"""

import numpy as np
import pytest
import tensorflow as tf

from kata.feedback import expect_close, expect_shape, fail, to_numpy


def relu(values):
    return np.maximum(values, 0.0)


def run_fully_connected(load_step, x, w, b):
    """The learner's fully_connected on float32 tensors, as a NumPy array."""
    fully_connected = load_step("fully_connected").fully_connected
    return to_numpy(fully_connected(*[tf.constant(v, tf.float32) for v in (x, w, b)]))


def check_values(got, x, w, b, expected=None, hint_es="", hint_en=""):
    """Fail with the largest error and a guess at the mistake (else the hint) unless `got` matches
    `expected` (by default NumPy's relu(x·w + b))."""
    flat = x.reshape(len(x), -1).astype(np.float64)
    expect_shape(got, (len(x), w.shape[1]), f"fully_connected con x {x.shape} y w {w.shape}",
                 f"fully_connected with x {x.shape} and w {w.shape}",
                 cause_es=f"la salida es (lote, w.shape[1]) = ({len(x)}, {w.shape[1]}); aplana con tf.reshape(x, [-1, w.shape[0]]).",
                 cause_en=f"the output is (batch, w.shape[1]) = ({len(x)}, {w.shape[1]}); flatten with tf.reshape(x, [-1, w.shape[0]]).")
    product = flat @ w
    mistakes = [
        (product + b, "falta la ReLU: termina con tf.nn.relu.", "the ReLU is missing: finish with tf.nn.relu."),
        (relu(product), "falta el sesgo: tf.matmul(x, w) + b.", "the bias is missing: tf.matmul(x, w) + b."),
        (relu(product) + b, "la ReLU va después de sumar el sesgo, no antes.", "the ReLU comes after adding the bias, not before."),
    ]
    if x.ndim == 4:
        channels_first = x.transpose(0, 3, 1, 2).reshape(len(x), -1) @ w
        mistakes.append((relu(channels_first + b),
                         "se aplanó en otro orden (canales primero); tf.reshape(x, [-1, w.shape[0]]) conserva el orden NHWC.",
                         "it was flattened in another order (channels first); tf.reshape(x, [-1, w.shape[0]]) keeps the NHWC order."))
    cause_es, cause_en = hint_es, hint_en
    for wrong, es, en in mistakes:
        if np.allclose(got, wrong, atol=1e-4, rtol=1e-4):
            cause_es, cause_en = es, en
            break
    expected = relu(product + b) if expected is None else expected
    expect_close(got, expected, f"fully_connected con x {x.shape} y w {w.shape}",
                 f"fully_connected with x {x.shape} and w {w.shape}", cause_es=cause_es, cause_en=cause_en)


def random_case(x_shape, units, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=x_shape).astype(np.float32)
    w = (rng.normal(size=(int(np.prod(x_shape[1:])), units)) / 8).astype(np.float32)
    b = rng.normal(size=units).astype(np.float32)
    return x, w, b


def test_one_example_with_two_inputs_and_three_units_by_hand(load_step):
    x = np.array([[1.0, 2.0]], np.float32)
    w = np.array([[1.0, 0.0, -1.0], [0.0, 1.0, -1.0]], np.float32)
    b = np.array([0.5, -3.0, 1.0], np.float32)
    # x·w = [1, 2, −3]; + b = [1.5, −1, −2]; ReLU → [1.5, 0, 0]
    got = run_fully_connected(load_step, x, w, b)
    check_values(got, x, w, b, np.array([[1.5, 0.0, 0.0]]),
                 hint_es="x·w = [1, 2, −3]; más b = [1.5, −1, −2]; la ReLU deja [1.5, 0, 0].",
                 hint_en="x·w = [1, 2, −3]; plus b = [1.5, −1, −2]; the ReLU leaves [1.5, 0, 0].")


@pytest.mark.parametrize("x_shape, units", [
    ((1, 3136), 512), ((3, 7, 7, 64), 10), ((4, 12), 6), ((2, 3, 3, 2), 1),
])
def test_output_is_batch_by_units(load_step, x_shape, units):
    x, w, b = random_case(x_shape, units, seed=units)
    got = run_fully_connected(load_step, x, w, b)
    expect_shape(got, (x_shape[0], units), f"fully_connected con x {x_shape} y w {w.shape}",
                 f"fully_connected with x {x_shape} and w {w.shape}",
                 cause_es="aplana con tf.reshape(x, [-1, w.shape[0]]); el lote se conserva y sale una columna por unidad.",
                 cause_en="flatten with tf.reshape(x, [-1, w.shape[0]]); the batch is kept and there is one column per unit.")


def test_a_7x7x64_block_is_flattened_in_nhwc_order_before_the_product(load_step):
    x, w, b = random_case((2, 7, 7, 64), 5, seed=0)
    check_values(run_fully_connected(load_step, x, w, b), x, w, b)


@pytest.mark.parametrize("x_shape, units, seed", [((1, 4), 3, 1), ((5, 20), 7, 2), ((3, 2, 2, 3), 4, 3)])
def test_values_match_numpy_matmul_plus_bias_then_relu(load_step, x_shape, units, seed):
    x, w, b = random_case(x_shape, units, seed)
    check_values(run_fully_connected(load_step, x, w, b), x, w, b)


def test_relu_turns_negative_units_into_zeros(load_step):
    x = np.array([[1.0, 1.0], [2.0, -1.0]], np.float32)
    w = np.array([[1.0, -1.0], [1.0, -1.0]], np.float32)  # second unit = −(first unit)
    b = np.zeros(2, np.float32)
    got = run_fully_connected(load_step, x, w, b)
    if got.shape == (2, 2) and got.min() < 0:
        fail(f"fully_connected devolvió valores negativos (mínimo {got.min():.4g}); tras la ReLU todo es ≥ 0.",
             f"fully_connected returned negative values (minimum {got.min():.4g}); after the ReLU everything is ≥ 0.",
             cause_es="falta la ReLU: termina con tf.nn.relu.", cause_en="the ReLU is missing: finish with tf.nn.relu.")
    check_values(got, x, w, b)


def test_each_unit_gets_its_own_bias(load_step):
    x = np.zeros((2, 3), np.float32)  # x·w = 0, so only the bias (after ReLU) remains
    w = np.ones((3, 3), np.float32)
    b = np.array([1.0, -2.0, 3.0], np.float32)
    check_values(run_fully_connected(load_step, x, w, b), x, w, b)
