"""Step 3 · conv2d — a convolutional layer: convolution, bias, ReLU.

Tensors are NHWC: batch × height × width × channels. A 3 × 3 filter bank W of shape
(3, 3, in_channels, out_channels) slides over the image; each position gives one value per output
channel. With SAME padding the border is padded with zeros so a 28 × 28 image stays 28 × 28 at
stride 1 (VALID would give 26 × 26 and the border pixels would count less).
"""

import tensorflow as tf


def conv2d(x, W, b, strides=1):
    """SAME convolution of `x` with `W`, plus the bias `b`, then ReLU.

    x: (batch, height, width, in_channels) float32.
    W: (kh, kw, in_channels, out_channels).
    b: (out_channels,), one bias per output channel.
    strides: the step of the window in height and width.
    Returns (batch, ceil(height / strides), ceil(width / strides), out_channels), all ≥ 0.
    """
    ### BEGIN SOLUTION
    x = tf.nn.conv2d(x, W, strides=[1, strides, strides, 1], padding="SAME")
    x = tf.nn.bias_add(x, b)
    return tf.nn.relu(x)
    ### END SOLUTION
