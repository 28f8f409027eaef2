"""veaba/tensorflow-docs docs/tf.nn/softmax_cross_entropy_with_logits.md: TensorFlow 2's signature is (labels, logits, axis=-1);
TensorFlow 0.x code still found in public notebooks calls tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits,
labels)) positionally, in the old order, so the same call swaps them."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = "logits and labels are swapped"

# Edits of solutions/train.py (its solution markers removed): the reference written this way.
EDITS = [("tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)",
          "tf.nn.softmax_cross_entropy_with_logits(logits, labels)")]
