"""cost passes the logits as the labels and the labels as the logits."""

EDITS = [
    ("tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)",
     "tf.nn.softmax_cross_entropy_with_logits(labels=logits, logits=labels)"),
]
