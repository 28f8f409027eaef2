"""tensorflow/docs site/en/tutorials/quickstart/advanced.ipynb: tf.keras.metrics.Mean for the loss and an accuracy metric, fed once per batch (test_step over test_ds batches too) and reset each epoch — an unweighted mean of batch means."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'the mean of the batch means counts the batch of 50'

# Edits of solutions/train.py (its solution markers removed): the reference written this way.
EDITS = [
    (
        '    total_loss = total_hits = 0.0\n    for start in range(0, len(X), batch_size):\n        bx, by = X[start:start + batch_size], y[start:start + batch_size]\n        loss, acc = _batch_metrics(bx, by, weights, biases, tuple(layers))\n        total_loss += float(loss) * len(bx)\n        total_hits += float(acc) * len(bx)\n    return total_loss / len(X), total_hits / len(X)\n',
        "    test_loss = tf.keras.metrics.Mean(name='test_loss')\n    test_accuracy = tf.keras.metrics.Mean(name='test_accuracy')\n    for start in range(0, len(X), batch_size):\n        loss, acc = _batch_metrics(X[start:start + batch_size], y[start:start + batch_size], weights, biases,\n                                   tuple(layers))\n        test_loss(loss)\n        test_accuracy(acc)\n    return float(test_loss.result()), float(test_accuracy.result())\n",
    ),
]
