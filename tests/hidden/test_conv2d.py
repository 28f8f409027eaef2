"""Instructor-only tests of step 3 · conv2d (never in a student release): shapes and sizes the
public suite does not try — a 5 × 5 filter at stride 2 on a tall, odd image, and a 1 × 1 filter."""

import numpy as np
import tensorflow as tf

from kata.feedback import expect_close, to_numpy


def numpy_conv2d(x, W, b, stride):
    """SAME cross-correlation (zero padding, the odd row/column at the bottom/right), bias, ReLU."""
    n, h, w, _ = x.shape
    kh, kw, _, out = W.shape
    oh, ow = -(-h // stride), -(-w // stride)
    ph, pw = max((oh - 1) * stride + kh - h, 0), max((ow - 1) * stride + kw - w, 0)
    padded = np.pad(x.astype(np.float64), ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    result = np.zeros((n, oh, ow, out))
    for i in range(oh):
        for j in range(ow):
            patch = padded[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            result[:, i, j, :] = np.tensordot(patch, W, axes=([1, 2, 3], [0, 1, 2]))
    return np.maximum(result + b, 0.0)


def run(load_step, x, W, b, stride):
    conv2d = load_step("conv2d").conv2d
    return to_numpy(conv2d(*[tf.constant(v, tf.float32) for v in (x, W, b)], stride))


def test_a_5x5_filter_at_stride_2_on_a_tall_odd_image(load_step):
    rng = np.random.default_rng(30)
    x = rng.normal(size=(2, 9, 6, 3)).astype(np.float32)
    W = rng.normal(size=(5, 5, 3, 4)).astype(np.float32)
    b = rng.normal(size=4).astype(np.float32)
    expect_close(run(load_step, x, W, b, 2), numpy_conv2d(x, W, b, 2),
                 "conv2d con un filtro 5×5, strides=2 y x (2, 9, 6, 3)",
                 "conv2d with a 5×5 filter, strides=2 and x (2, 9, 6, 3)", atol=1e-4, rtol=1e-4,
                 cause_es="el filtro no siempre es 3×3 ni el paso 1: usa W tal cual y strides=[1, strides, strides, 1], padding='SAME'.",
                 cause_en="the filter is not always 3×3 nor the stride 1: use W as it is and strides=[1, strides, strides, 1], padding='SAME'.")


def test_a_1x1_filter_is_a_bias_and_relu_of_each_pixel_times_w(load_step):
    rng = np.random.default_rng(31)
    x = rng.normal(size=(1, 4, 5, 3)).astype(np.float32)
    W = rng.normal(size=(1, 1, 3, 2)).astype(np.float32)
    b = np.array([0.5, -0.5], np.float32)
    expected = np.maximum(x.astype(np.float64) @ W[0, 0] + b, 0.0)
    expect_close(run(load_step, x, W, b, 1), expected, "conv2d con un filtro 1×1", "conv2d with a 1×1 filter",
                 atol=1e-5, rtol=1e-5,
                 cause_es="con un filtro 1×1 cada píxel es relu(x·W + b): revisa el sesgo por canal y la ReLU.",
                 cause_en="with a 1×1 filter each pixel is relu(x·W + b): check the per-channel bias and the ReLU.")
