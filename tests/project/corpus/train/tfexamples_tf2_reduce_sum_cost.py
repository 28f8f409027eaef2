"""aymericdamien/TensorFlow-Examples tensorflow_v2 convolutional_network_raw.ipynb cross_entropy: clip the softmax to [1e-9, 1], then tf.reduce_mean(-tf.reduce_sum(y * log(p))) — the inner sum has no axis, so it is the batch SUM."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'take the mean; not sigmoid_cross_entropy'



import numpy as np
import tensorflow as tf

from generate_network import COURSE_LAYERS, generate_network, init_parameters


def cost(logits, labels):
    """Mean softmax cross-entropy. logits, labels: (batch, n_classes), labels one-hot → scalar."""
    y_pred = tf.clip_by_value(tf.nn.softmax(logits), 1e-9, 1.)
    return tf.reduce_mean(-tf.reduce_sum(labels * tf.math.log(y_pred)))


def accuracy(logits, labels):
    """Fraction of rows whose largest logit is at the label's class → scalar float32 in [0, 1]."""
    hits = tf.equal(tf.argmax(logits, axis=1), tf.argmax(labels, axis=1))
    return tf.reduce_mean(tf.cast(hits, tf.float32))


@tf.function(reduce_retracing=True)
def _batch_metrics(x, y, weights, biases, layers):
    logits = generate_network(x, weights, biases, layers)
    return cost(logits, y), accuracy(logits, y)


def evaluate(X, y, weights, biases, layers=COURSE_LAYERS, batch_size=1000):
    """Loss and accuracy of the network (no dropout) over all of X, a batch at a time.

    X: (N, 784) float32; y: (N, n_classes) one-hot. Returns (loss, accuracy) as Python floats,
    each the mean over all N examples (batches weighted by their size).
    """
    total_loss = total_hits = 0.0
    for start in range(0, len(X), batch_size):
        bx, by = X[start:start + batch_size], y[start:start + batch_size]
        loss, acc = _batch_metrics(bx, by, weights, biases, tuple(layers))
        total_loss += float(loss) * len(bx)
        total_hits += float(acc) * len(bx)
    return total_loss / len(X), total_hits / len(X)


def train(data, training_iters=10, learning_rate=0.001, batch_size=128, *, seed=None, dropout=None,
          layers=COURSE_LAYERS, parameters=None, on_batch=None, on_epoch=None):
    """Train the network and return its learning curves.

    data: (train_X, train_y, test_X, test_y) as `load_data` returns them.
    training_iters: epochs; learning_rate: Adam's step size; batch_size: images per step.
    seed: makes the initial weights and the shuffling repeatable.
    dropout: TensorFlow 2's rate during training (None: no dropout); never used to evaluate.
    parameters: (weights, biases) to train in place; new ones from `init_parameters` when None.
    on_batch(epoch, batch, n_batches, loss, accuracy) and on_epoch(epoch, metrics): optional
    callbacks (0-based numbers; metrics is a dict of the four values below) for progress bars.
    Returns [train_loss, test_loss, train_accuracy, test_accuracy], one float per epoch each.
    """
    train_X, train_y, test_X, test_y = data
    if parameters is None:
        parameters = init_parameters(n_output=train_y.shape[1], seed=seed)
    weights, biases = parameters
    rng = np.random.default_rng(seed)
    history = [[], [], [], []]
    layers = tuple(layers)
    variables = list(weights) + list(biases)
    optimizer = tf.keras.optimizers.Adam(learning_rate=learning_rate)
    use_dropout = dropout is not None and dropout > 0

    @tf.function(reduce_retracing=True)
    def step(bx, by):
        with tf.GradientTape() as tape:
            logits = generate_network(bx, weights, biases, layers, drop_out=use_dropout, dropout=dropout)
            loss = cost(logits, by)
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss, accuracy(logits, by)

    n = len(train_X)
    n_batches = -(-n // batch_size)
    for epoch in range(training_iters):
        order = rng.permutation(n)
        total_loss = total_hits = 0.0
        for batch in range(n_batches):
            index = order[batch * batch_size:(batch + 1) * batch_size]
            loss, acc = step(train_X[index], train_y[index])
            loss, acc = float(loss), float(acc)
            total_loss += loss * len(index)
            total_hits += acc * len(index)
            if on_batch:
                on_batch(epoch, batch, n_batches, loss, acc)
        test_loss, test_acc = evaluate(test_X, test_y, weights, biases, layers)
        for values, value in zip(history, (total_loss / n, test_loss, total_hits / n, test_acc)):
            values.append(value)
        if on_epoch:
            on_epoch(epoch, dict(zip(("train_loss", "test_loss", "train_accuracy", "test_accuracy"),
                                     (h[-1] for h in history))))
    return history
