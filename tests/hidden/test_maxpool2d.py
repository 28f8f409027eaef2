"""Instructor-only tests of step 4 · maxpool2d (never in a student release): k = 3 on an image
whose sides k does not divide, every value negative, and k = 1."""

import numpy as np
import tensorflow as tf

from kata.feedback import expect_close, to_numpy


def numpy_max_pool(x, k):
    """k × k max pooling, stride k, SAME: the padding never wins (−∞)."""
    n, h, w, c = x.shape
    oh, ow = -(-h // k), -(-w // k)
    ph, pw = oh * k - h, ow * k - w
    padded = np.pad(x.astype(np.float64), ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)),
                    constant_values=-np.inf)
    return padded.reshape(n, oh, k, ow, k, c).max(axis=(2, 4))


def run(load_step, x, k):
    return to_numpy(load_step("maxpool2d").maxpool2d(tf.constant(x, tf.float32), k))


def test_k_3_on_a_5x7_image_of_negative_values(load_step):
    x = -np.random.default_rng(40).uniform(1, 9, size=(2, 5, 7, 3)).astype(np.float32)
    expect_close(run(load_step, x, 3), numpy_max_pool(x, 3), "maxpool2d con k=3 y x (2, 5, 7, 3) negativa",
                 "maxpool2d with k=3 and a negative x (2, 5, 7, 3)", atol=1e-6, rtol=1e-6,
                 cause_es="ventana y paso k (no 2), padding='SAME' y el relleno nunca gana: tf.nn.max_pool2d(x, ksize=k, strides=k, padding='SAME').",
                 cause_en="window and stride k (not 2), padding='SAME', and the padding never wins: tf.nn.max_pool2d(x, ksize=k, strides=k, padding='SAME').")


def test_k_1_gives_the_input_back(load_step):
    x = np.random.default_rng(41).normal(size=(1, 3, 4, 2)).astype(np.float32)
    expect_close(run(load_step, x, 1), x, "maxpool2d con k=1", "maxpool2d with k=1", atol=0, rtol=0,
                 cause_es="con k=1 cada ventana es un píxel: usa el k recibido en ksize y strides.",
                 cause_en="with k=1 each window is one pixel: use the given k for ksize and strides.")
