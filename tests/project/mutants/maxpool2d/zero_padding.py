"""Pads with zeros by hand and pools VALID, so the padding beats negative values."""

import tensorflow as tf


def maxpool2d(x, k=2):
    height, width = x.shape[1], x.shape[2]
    pad_h, pad_w = -height % k, -width % k
    x = tf.pad(x, [[0, 0], [pad_h // 2, pad_h - pad_h // 2], [pad_w // 2, pad_w - pad_w // 2], [0, 0]])
    return tf.nn.max_pool2d(x, ksize=k, strides=k, padding="VALID")
