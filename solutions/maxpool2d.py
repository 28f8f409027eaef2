"""Step 4 · maxpool2d — keep the strongest response of each k × k window.

Pooling halves the height and width (for k = 2) so later layers see a wider part of the image
with fewer numbers. The window and the stride are both k, so windows do not overlap. SAME padding
rounds the size up: 28 → 14, and 7 → 4 (VALID would round down to 3 and drop the last row).
"""

import tensorflow as tf


def maxpool2d(x, k=2):
    """k × k max pooling with stride k and SAME padding.

    x: (batch, height, width, channels).
    Returns (batch, ceil(height / k), ceil(width / k), channels).
    """
    ### BEGIN SOLUTION
    return tf.nn.max_pool2d(x, ksize=k, strides=k, padding="SAME")
    ### END SOLUTION
