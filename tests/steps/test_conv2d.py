"""Step 3 · conv2d: SAME convolution, one bias per output channel, then ReLU.

Tensors are NHWC: batch × height × width × channels; filters are (kh, kw, in_channels,
out_channels). Values are compared with the plain NumPy convolution written below.
"""

import re

import numpy as np
import pytest
import tensorflow as tf

from kata.feedback import expect_close, expect_shape, fail, to_numpy


def same_pre_activation(x, W, b, strides=1):
    """NumPy SAME cross-correlation plus bias, before the ReLU.

    x (batch, h, w, in) · W (kh, kw, in, out) · b (out,) → (batch, ceil(h/s), ceil(w/s), out).
    Zero padding split as TensorFlow does: the odd row/column goes to the bottom/right.
    """
    n, h, w, _ = x.shape
    kh, kw, _, out = W.shape
    oh, ow = -(-h // strides), -(-w // strides)
    pad_h = max((oh - 1) * strides + kh - h, 0)
    pad_w = max((ow - 1) * strides + kw - w, 0)
    padded = np.pad(x.astype(np.float64),
                    ((0, 0), (pad_h // 2, pad_h - pad_h // 2), (pad_w // 2, pad_w - pad_w // 2), (0, 0)))
    result = np.zeros((n, oh, ow, out))
    for i in range(oh):
        for j in range(ow):
            patch = padded[:, i * strides:i * strides + kh, j * strides:j * strides + kw, :]
            result[:, i, j, :] = np.tensordot(patch, W, axes=([1, 2, 3], [0, 1, 2]))
    return result + b


def short(err):
    """An error's text without TensorFlow's internal {{function_node ...}} prefix."""
    return re.sub(r"\{\{.*?\}\}\s*", "", str(err))


def relu(values):
    return np.maximum(values, 0.0)


def run_conv2d(load_step, x, W, b, strides=1):
    """The learner's conv2d on float32 tensors, as a NumPy array."""
    conv2d = load_step("conv2d").conv2d
    args = [tf.constant(v, tf.float32) for v in (x, W, b)]
    try:
        out = conv2d(*args, strides)
    except (tf.errors.InvalidArgumentError, ValueError, TypeError) as err:
        fail(f"conv2d(x {x.shape}, W {W.shape}, b {b.shape}, strides={strides}) lanzó {type(err).__name__}: {short(err)}",
             f"conv2d(x {x.shape}, W {W.shape}, b {b.shape}, strides={strides}) raised {type(err).__name__}: {short(err)}",
             cause_es="revisa que pasas strides=[1, strides, strides, 1] y que el sesgo se suma con tf.nn.bias_add(x, b).",
             cause_en="check that you pass strides=[1, strides, strides, 1] and add the bias with tf.nn.bias_add(x, b).")
    return to_numpy(out)


def check_shape(got, x, W, strides):
    """Fail with a likely cause unless `got` has the SAME-padding shape."""
    n, h, w, _ = x.shape
    kh, kw, _, out = W.shape
    expected = (n, -(-h // strides), -(-w // strides), out)
    valid = (n, -(-(h - kh + 1) // strides), -(-(w - kw + 1) // strides), out)
    cause_es = cause_en = ""
    if tuple(got.shape) == valid:
        cause_es = "¿usaste padding='VALID'? Con 'SAME' los bordes se rellenan con ceros y el tamaño se conserva."
        cause_en = "did you use padding='VALID'? With 'SAME' the border is padded with zeros and the size is kept."
    elif strides > 1 and tuple(got.shape) == (n, h, w, out):
        cause_es = f"el paso (strides={strides}) no se aplicó: pasa strides=[1, strides, strides, 1] a tf.nn.conv2d."
        cause_en = f"the stride (strides={strides}) was ignored: pass strides=[1, strides, strides, 1] to tf.nn.conv2d."
    expect_shape(got, expected, f"conv2d con x {x.shape}, W {W.shape} y strides={strides}",
                 f"conv2d with x {x.shape}, W {W.shape} and strides={strides}", cause_es=cause_es, cause_en=cause_en)


# (what it computes from the pre-activation and b, cause in Spanish, cause in English)
_MISTAKES = (
    (lambda pre, b: pre, "falta la ReLU: termina con tf.nn.relu.", "the ReLU is missing: finish with tf.nn.relu."),
    (lambda pre, b: relu(pre - b), "falta el sesgo: súmalo con tf.nn.bias_add(x, b) antes de la ReLU.",
     "the bias is missing: add it with tf.nn.bias_add(x, b) before the ReLU."),
    (lambda pre, b: relu(pre - b + b[0]), "todos los canales reciben el mismo sesgo b[0]; cada canal de salida tiene el suyo.",
     "every channel got the same bias b[0]; each output channel has its own."),
    (lambda pre, b: relu(pre - b) + b, "el sesgo se suma después de la ReLU; va antes.",
     "the bias is added after the ReLU; it goes before."),
)


def check_values(got, x, W, b, strides=1):
    """Fail with the largest error (and a guess at the mistake) unless `got` matches NumPy."""
    check_shape(got, x, W, strides)
    pre = same_pre_activation(x, W, b, strides)
    cause_es = cause_en = ""
    for compute, es, en in _MISTAKES:
        if np.allclose(got, compute(pre, b), atol=1e-4, rtol=1e-4):
            cause_es, cause_en = es, en
            break
    else:
        cause_es, cause_en = _MISTAKES[0][1:] if (got < 0).any() else (
            "el orden es tf.nn.conv2d(x, W, ...) → tf.nn.bias_add(·, b) → tf.nn.relu, y el sesgo no toca la entrada.",
            "the order is tf.nn.conv2d(x, W, ...) → tf.nn.bias_add(·, b) → tf.nn.relu, and the bias never touches the input.")
    expect_close(got, relu(pre), f"conv2d con x {x.shape}, W {W.shape} y strides={strides}",
                 f"conv2d with x {x.shape}, W {W.shape} and strides={strides}", cause_es=cause_es, cause_en=cause_en)


def test_a_filter_of_ones_sums_each_3x3_neighbourhood_with_zeros_outside(load_step):
    x = np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3, 1)  # 1 2 3 / 4 5 6 / 7 8 9
    W = np.ones((3, 3, 1, 1), np.float32)
    got = run_conv2d(load_step, x, W, np.zeros(1, np.float32))
    check_shape(got, x, W, 1)
    expected = np.array([[12, 21, 16], [27, 45, 33], [24, 39, 28]], np.float32).reshape(1, 3, 3, 1)
    expect_close(got, expected, "conv2d de la imagen 1..9 con un filtro 3×3 de unos",
                 "conv2d of the image 1..9 with a 3×3 filter of ones",
                 cause_es="la esquina superior izquierda suma 1+2+4+5 = 12: los píxeles de fuera cuentan como 0 (padding='SAME').",
                 cause_en="the top-left corner sums 1+2+4+5 = 12: pixels outside count as 0 (padding='SAME').")


@pytest.mark.parametrize("batch, size, channels_in, channels_out", [
    (1, 28, 1, 32), (2, 14, 32, 8), (3, 7, 3, 4), (2, 5, 2, 1),
])
def test_same_padding_keeps_height_and_width_at_stride_1(load_step, batch, size, channels_in, channels_out):
    rng = np.random.default_rng(size)
    x = rng.random((batch, size, size, channels_in), np.float32)
    W = rng.normal(size=(3, 3, channels_in, channels_out)).astype(np.float32)
    got = run_conv2d(load_step, x, W, np.zeros(channels_out, np.float32))
    check_shape(got, x, W, 1)


@pytest.mark.parametrize("size, expected", [(28, 14), (7, 4), (5, 3)])
def test_stride_2_divides_height_and_width_rounding_up(load_step, size, expected):
    x = np.ones((1, size, size, 1), np.float32)
    W = np.ones((3, 3, 1, 2), np.float32)
    got = run_conv2d(load_step, x, W, np.zeros(2, np.float32), strides=2)
    check_shape(got, x, W, 2)
    assert got.shape[1:3] == (expected, expected)


@pytest.mark.parametrize("x_shape, kernel, channels_out, strides, seed", [
    ((1, 6, 6, 1), 3, 2, 1, 0),
    ((2, 7, 7, 3), 3, 4, 2, 1),
    ((2, 5, 8, 2), 5, 3, 1, 2),
    ((1, 9, 9, 2), 3, 3, 3, 3),
])
def test_values_match_a_numpy_convolution_on_random_inputs(load_step, x_shape, kernel, channels_out, strides, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=x_shape).astype(np.float32)
    W = rng.normal(size=(kernel, kernel, x_shape[3], channels_out)).astype(np.float32)
    b = rng.normal(size=channels_out).astype(np.float32)
    check_values(run_conv2d(load_step, x, W, b, strides), x, W, b, strides)


def test_relu_turns_negative_responses_into_zeros_and_keeps_positive_ones(load_step):
    x = np.ones((1, 4, 4, 1), np.float32)
    W = np.stack([np.ones((3, 3, 1)), -np.ones((3, 3, 1))], axis=-1).astype(np.float32)  # channel 1 always < 0
    got = run_conv2d(load_step, x, W, np.zeros(2, np.float32))
    check_shape(got, x, W, 1)
    if got.min() < 0:
        fail(f"conv2d devolvió valores negativos (mínimo {got.min():.4g}); tras la ReLU todo es ≥ 0.",
             f"conv2d returned negative values (minimum {got.min():.4g}); after the ReLU everything is ≥ 0.",
             cause_es="falta la ReLU: termina con tf.nn.relu.", cause_en="the ReLU is missing: finish with tf.nn.relu.")
    check_values(got, x, W, np.zeros(2, np.float32))


def test_each_output_channel_gets_its_own_bias(load_step):
    x = np.ones((1, 3, 3, 2), np.float32)
    W = np.zeros((3, 3, 2, 4), np.float32)  # the convolution gives 0, so only the bias remains
    b = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
    got = run_conv2d(load_step, x, W, b)
    check_shape(got, x, W, 1)
    per_channel = [float(got[..., c].mean()) for c in range(4)]
    if not np.allclose(got, np.broadcast_to(b, got.shape), atol=1e-5):
        fail(f"con W = 0 y b = {b.tolist()} cada canal debía valer su sesgo; llegó (media por canal) {per_channel}.",
             f"with W = 0 and b = {b.tolist()} each channel should equal its bias; got (mean per channel) {per_channel}.",
             cause_es="suma el vector b entero con tf.nn.bias_add(x, b), no b[0] ni un único número.",
             cause_en="add the whole vector b with tf.nn.bias_add(x, b), not b[0] nor a single number.")
