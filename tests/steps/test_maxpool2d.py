"""Step 4 · maxpool2d: k × k max pooling, stride k, SAME padding.

Tensors are NHWC: batch × height × width × channels. Values are compared with the NumPy pooling
written below, in which the padding never wins (it behaves as −∞), as in TensorFlow.
"""

import numpy as np
import pytest
import tensorflow as tf

from kata.feedback import expect_close, expect_shape, to_numpy


def _windows(x, k, fill):
    """x (batch, h, w, c) padded SAME with `fill` → (batch, ceil(h/k), k, ceil(w/k), k, c)."""
    n, h, w, c = x.shape
    oh, ow = -(-h // k), -(-w // k)
    pad_h, pad_w = oh * k - h, ow * k - w
    padded = np.pad(x.astype(np.float64),
                    ((0, 0), (pad_h // 2, pad_h - pad_h // 2), (pad_w // 2, pad_w - pad_w // 2), (0, 0)),
                    constant_values=fill)
    return padded.reshape(n, oh, k, ow, k, c)


def same_max_pool(x, k):
    """NumPy k × k max pooling with stride k: (batch, h, w, c) → (batch, ceil(h/k), ceil(w/k), c)."""
    return _windows(x, k, -np.inf).max(axis=(2, 4))


def same_avg_pool(x, k):
    """The average of the real pixels of each window (what tf.nn.avg_pool2d SAME gives)."""
    return np.nanmean(_windows(x, k, np.nan), axis=(2, 4))


def run_maxpool2d(load_step, x, k=None):
    """The learner's maxpool2d on a float32 tensor (default k when `k` is None), as NumPy."""
    maxpool2d = load_step("maxpool2d").maxpool2d
    x = tf.constant(x, tf.float32)
    return to_numpy(maxpool2d(x) if k is None else maxpool2d(x, k))


def check_shape(got, x, k):
    """Fail with a likely cause unless `got` is (batch, ceil(h/k), ceil(w/k), channels)."""
    n, h, w, c = x.shape
    expected = (n, -(-h // k), -(-w // k), c)
    got_shape = tuple(got.shape)
    cause_es = cause_en = ""
    if got_shape == (n, (h - k) // k + 1, (w - k) // k + 1, c):
        cause_es = (f"¿usaste padding='VALID'? Con 'SAME' un lado de {h} da {expected[1]} (se redondea hacia arriba); "
                    f"con 'VALID' da {got_shape[1]} y se pierde el borde.")
        cause_en = (f"did you use padding='VALID'? With 'SAME' a side of {h} gives {expected[1]} (rounded up); "
                    f"'VALID' gives {got_shape[1]} and drops the border.")
    elif got_shape in ((n, h, w, c), (n, h - k + 1, w - k + 1, c)):
        cause_es = "la ventana avanza de 1 en 1: el salto (strides) también es k, para que las ventanas no se solapen."
        cause_en = "the window moves 1 pixel at a time: the stride is k too, so windows do not overlap."
    elif k != 2 and got_shape == (n, -(-h // 2), -(-w // 2), c):
        cause_es = f"se usó k = 2 en vez del k recibido ({k}): usa el parámetro k en ksize y strides."
        cause_en = f"k = 2 was used instead of the given k ({k}): use the parameter k for ksize and strides."
    expect_shape(got, expected, f"maxpool2d con x {x.shape} y k={k}", f"maxpool2d with x {x.shape} and k={k}",
                 cause_es=cause_es, cause_en=cause_en)


def check_values(got, x, k, expected=None, hint_es="", hint_en=""):
    """Fail with the largest error and a guess at the mistake (else the hint) unless `got` matches
    `expected` (by default the NumPy pooling)."""
    check_shape(got, x, k)
    expected = same_max_pool(x, k) if expected is None else expected
    cause_es, cause_en = hint_es, hint_en
    if np.allclose(got, same_avg_pool(x, k), atol=1e-5):
        cause_es, cause_en = ("se calculó la media de cada ventana; max pooling toma el máximo (tf.nn.max_pool2d).",
                              "the mean of each window was taken; max pooling takes the maximum (tf.nn.max_pool2d).")
    elif np.allclose(got, _windows(x, k, 0.0).max(axis=(2, 4)), atol=1e-5):
        cause_es, cause_en = ("el relleno cuenta como 0 y gana a los negativos; con padding='SAME' de tf.nn.max_pool2d el relleno no cuenta.",
                              "the padding counts as 0 and beats negative values; with tf.nn.max_pool2d's padding='SAME' it never counts.")
    expect_close(got, expected, f"maxpool2d con x {x.shape} y k={k}", f"maxpool2d with x {x.shape} and k={k}",
                 atol=1e-5, rtol=1e-5, cause_es=cause_es, cause_en=cause_en)


def test_2x2_pooling_of_a_4x4_grid_keeps_the_maximum_of_each_window(load_step):
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)  # rows 0..3, 4..7, 8..11, 12..15
    got = run_maxpool2d(load_step, x, 2)
    expected = np.array([[5, 7], [13, 15]], np.float32).reshape(1, 2, 2, 1)
    check_values(got, x, 2, expected, hint_es="cada ventana 2×2 se queda con su mayor valor: [[5, 7], [13, 15]].",
                 hint_en="each 2×2 window keeps its largest value: [[5, 7], [13, 15]].")


@pytest.mark.parametrize("size, k, expected", [
    (28, 2, 14), (14, 2, 7), (7, 2, 4), (28, 3, 10), (7, 3, 3), (9, 3, 3),
])
def test_height_and_width_are_divided_by_k_rounding_up(load_step, size, k, expected):
    x = np.ones((2, size, size, 3), np.float32)
    check_shape(run_maxpool2d(load_step, x, k), x, k)   # (2, expected, expected, 3)


def test_k_defaults_to_2(load_step):
    x = np.ones((1, 28, 28, 1), np.float32)
    check_shape(run_maxpool2d(load_step, x), x, 2)


@pytest.mark.parametrize("x_shape, k, seed", [
    ((1, 4, 4, 1), 2, 0), ((2, 7, 7, 3), 2, 1), ((2, 5, 8, 2), 2, 2), ((1, 7, 9, 2), 3, 3),
])
def test_values_match_numpy_max_pooling_on_random_inputs(load_step, x_shape, k, seed):
    x = np.random.default_rng(seed).normal(size=x_shape).astype(np.float32)
    check_values(run_maxpool2d(load_step, x, k), x, k)


def test_padding_never_beats_negative_values(load_step):
    x = -np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3, 1)  # −1 … −9: every pixel below 0
    got = run_maxpool2d(load_step, x, 2)
    check_values(got, x, 2)


def test_each_channel_is_pooled_on_its_own(load_step):
    base = np.random.default_rng(4).normal(size=(2, 6, 6)).astype(np.float32)
    x = np.stack([base, -base, np.full_like(base, 0.5)], axis=-1)
    check_values(run_maxpool2d(load_step, x, 2), x, 2)
