"""Instructor-only tests of step 5 · fully_connected (never in a student release): one example
with a block of another size than the course's 7 × 7 × 64."""

import numpy as np
import tensorflow as tf

from kata.feedback import expect_close, to_numpy


def test_one_example_of_a_2x3x4_block_is_flattened_in_nhwc_order(load_step):
    rng = np.random.default_rng(50)
    x = rng.normal(size=(1, 2, 3, 4)).astype(np.float32)
    w = rng.normal(size=(24, 5)).astype(np.float32)
    b = rng.normal(size=5).astype(np.float32)
    got = to_numpy(load_step("fully_connected").fully_connected(*[tf.constant(v, tf.float32) for v in (x, w, b)]))
    expected = np.maximum(x.reshape(1, -1).astype(np.float64) @ w + b, 0.0)
    expect_close(got, expected, "fully_connected con x (1, 2, 3, 4) y w (24, 5)",
                 "fully_connected with x (1, 2, 3, 4) and w (24, 5)", atol=1e-4, rtol=1e-4,
                 cause_es="aplana con tf.reshape(x, [-1, w.shape[0]]) (no un 3136 fijo), multiplica, suma b y aplica la ReLU.",
                 cause_en="flatten with tf.reshape(x, [-1, w.shape[0]]) (not a fixed 3136), multiply, add b and apply the ReLU.")
