"""aymericdamien/TensorFlow-Examples tensorflow_v2 convolutional_network_raw.ipynb cross_entropy: clip the softmax to [1e-9, 1], then tf.reduce_mean(-tf.reduce_sum(y * log(p))) — the inner sum has no axis, so it is the batch SUM."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'take the mean; not sigmoid_cross_entropy'

# Edits of solutions/train.py (its solution markers removed): the reference written this way.
EDITS = [
    (
        '    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits))\n',
        '    y_pred = tf.clip_by_value(tf.nn.softmax(logits), 1e-9, 1.)\n    return tf.reduce_mean(-tf.reduce_sum(labels * tf.math.log(y_pred)))\n',
    ),
]
