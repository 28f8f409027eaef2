"""Step 3 · conv2d: SAME convolution, one bias per output channel, then ReLU.

Tensors are NHWC: batch × height × width × channels; filters are (kh, kw, in_channels,
out_channels). Values are compared with the plain NumPy convolution written below.
"""

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


def relu(values):
    return np.maximum(values, 0.0)


def run_conv2d(load_step, x, W, b, strides=1):
    """The learner's conv2d on float32 tensors, as a NumPy array (an error it raises reaches the
    learner as what it is, with their own line)."""
    conv2d = load_step("conv2d").conv2d
    return to_numpy(conv2d(*[tf.constant(v, tf.float32) for v in (x, W, b)], strides))


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
        cause_es = f"el salto (strides={strides}) no se aplicó: pasa strides=[1, strides, strides, 1] a tf.nn.conv2d."
        cause_en = f"the stride (strides={strides}) was ignored: pass strides=[1, strides, strides, 1] to tf.nn.conv2d."
    elif tuple(got.shape) == tuple(x.shape):
        cause_es = "la salida tiene la forma de la entrada: ¿devuelves una operación sobre x en vez de sobre la convolución?"
        cause_en = "the output has the input's shape: are you returning an operation on x instead of on the convolution?"
    expect_shape(got, expected, f"conv2d con x {x.shape}, W {W.shape} y strides={strides}",
                 f"conv2d with x {x.shape}, W {W.shape} and strides={strides}", cause_es=cause_es, cause_en=cause_en)


# (what it computes from the pre-activation, b and the input, cause in Spanish, cause in English)
_MISTAKES = (
    (lambda pre, b, x: pre, "falta la ReLU: termina con tf.nn.relu.", "the ReLU is missing: finish with tf.nn.relu."),
    (lambda pre, b, x: relu(pre - b), "falta el sesgo: súmalo con tf.nn.bias_add(x, b) antes de la ReLU.",
     "the bias is missing: add it with tf.nn.bias_add(x, b) before the ReLU."),
    (lambda pre, b, x: relu(pre - b + b[0]), "todos los canales reciben el mismo sesgo b[0]; cada canal de salida tiene el suyo.",
     "every channel got the same bias b[0]; each output channel has its own."),
    (lambda pre, b, x: relu(pre - b) + b, "el sesgo se suma después de la ReLU; va antes.",
     "the bias is added after the ReLU; it goes before."),
    (lambda pre, b, x: relu(x + b) if x.shape[-1] == b.shape[-1] or b.shape[-1] == 1 else None,
     "la salida es relu(entrada + sesgo): el sesgo y la ReLU se aplicaron a x, no al resultado de tf.nn.conv2d.",
     "the output is relu(input + bias): the bias and the ReLU were applied to x, not to the result of tf.nn.conv2d."),
    (lambda pre, b, x: relu(x), "la salida es relu(entrada): la ReLU se aplicó a x, no al resultado de la convolución.",
     "the output is relu(input): the ReLU was applied to x, not to the result of the convolution."),
)


def evidence(got, x, W, b, strides=1) -> tuple:
    """(cause_es, cause_en) of the known mistake whose output `got` equals, or ("", "")."""
    pre = same_pre_activation(x, W, b, strides)
    for compute, es, en in _MISTAKES:
        candidate = compute(pre, b, x)
        if candidate is not None and np.shape(candidate) == got.shape and np.allclose(got, candidate, atol=1e-4, rtol=1e-4):
            return es, en
    return "", ""


def check_values(got, x, W, b, strides=1):
    """Fail with the largest error (and the mistake, when the output shows one) unless `got` matches NumPy."""
    check_shape(got, x, W, strides)
    pre = same_pre_activation(x, W, b, strides)
    cause_es, cause_en = evidence(got, x, W, b, strides)
    expect_close(got, relu(pre), f"conv2d con x {x.shape}, W {W.shape} y strides={strides}",
                 f"conv2d with x {x.shape}, W {W.shape} and strides={strides}", cause_es=cause_es, cause_en=cause_en)


def test_a_filter_of_ones_sums_each_3x3_neighbourhood_with_zeros_outside(load_step):
    x = np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3, 1)  # 1 2 3 / 4 5 6 / 7 8 9
    W = np.ones((3, 3, 1, 1), np.float32)
    b = np.zeros(1, np.float32)
    got = run_conv2d(load_step, x, W, b)
    check_shape(got, x, W, 1)
    expected = np.array([[12, 21, 16], [27, 45, 33], [24, 39, 28]], np.float32).reshape(1, 3, 3, 1)
    cause_es, cause_en = evidence(got, x, W, b)
    expect_close(got, expected, "conv2d de la imagen 1..9 con un filtro 3×3 de unos (la esquina superior izquierda "
                 "suma 1+2+4+5 = 12: con padding SAME los píxeles de fuera cuentan como 0)",
                 "conv2d of the image 1..9 with a 3×3 filter of ones (the top-left corner sums 1+2+4+5 = 12: with "
                 "SAME padding the pixels outside count as 0)", cause_es=cause_es, cause_en=cause_en)


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
    check_shape(run_conv2d(load_step, x, W, np.zeros(2, np.float32), strides=2), x, W, 2)   # (1, expected, expected, 2)


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
