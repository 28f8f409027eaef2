"""Adam written out by hand (no Keras optimizer), eager steps, log-softmax cost and sample-weighted means.

Another correct training loop: the update m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g²,
θ ← θ − lr·m̂ / (√v̂ + ε) is coded directly on the variables; the batches come from
np.array_split of a shuffled index; epoch metrics are np.average weighted by batch size.
"""

import numpy as np
import tensorflow as tf

from generate_network import COURSE_LAYERS, generate_network, init_parameters


def cost(logits, labels):
    """Mean of −Σ labels · log_softmax(logits) over the batch → scalar."""
    return -tf.reduce_mean(tf.reduce_sum(labels * tf.nn.log_softmax(logits, axis=-1), axis=-1))


def accuracy(logits, labels):
    """Fraction of rows whose largest logit is at the label's class → scalar float32."""
    predicted = tf.math.argmax(logits, axis=-1, output_type=tf.int32)
    expected = tf.math.argmax(labels, axis=-1, output_type=tf.int32)
    return tf.reduce_mean(tf.where(predicted == expected, 1.0, 0.0))


def evaluate(X, y, weights, biases, layers=COURSE_LAYERS, batch_size=1000):
    """(loss, accuracy) over all of X, batches weighted by their size."""
    losses, accuracies, sizes = [], [], []
    for chunk in np.array_split(np.arange(len(X)), max(1, -(-len(X) // batch_size))):
        logits = generate_network(tf.gather(X, chunk), weights, biases, list(layers))
        labels = tf.gather(y, chunk)
        losses.append(float(cost(logits, labels)))
        accuracies.append(float(accuracy(logits, labels)))
        sizes.append(len(chunk))
    return float(np.average(losses, weights=sizes)), float(np.average(accuracies, weights=sizes))


class _Adam:
    def __init__(self, variables, learning_rate, beta1=0.9, beta2=0.999, epsilon=1e-7):
        self.variables, self.lr, self.b1, self.b2, self.eps = variables, learning_rate, beta1, beta2, epsilon
        self.m = [tf.zeros_like(v) for v in variables]
        self.v = [tf.zeros_like(v) for v in variables]
        self.t = 0

    def step(self, gradients):
        self.t += 1
        for i, (variable, g) in enumerate(zip(self.variables, gradients)):
            self.m[i] = self.b1 * self.m[i] + (1 - self.b1) * g
            self.v[i] = self.b2 * self.v[i] + (1 - self.b2) * tf.square(g)
            m_hat = self.m[i] / (1 - self.b1 ** self.t)
            v_hat = self.v[i] / (1 - self.b2 ** self.t)
            variable.assign_sub(self.lr * m_hat / (tf.sqrt(v_hat) + self.eps))


def train(data, training_iters=10, learning_rate=0.001, batch_size=128, *, seed=None, dropout=None,
          layers=COURSE_LAYERS, parameters=None, on_batch=None, on_epoch=None):
    """[train_loss, test_loss, train_accuracy, test_accuracy], one value per epoch."""
    train_X, train_y, test_X, test_y = data
    weights, biases = parameters if parameters is not None else init_parameters(train_y.shape[1], seed=seed)
    variables = [*weights, *biases]
    adam = _Adam(variables, learning_rate)
    shuffler = np.random.default_rng(seed)
    n_batches = -(-len(train_X) // batch_size)
    names = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")
    history = {name: [] for name in names}
    for epoch in range(training_iters):
        chunks = np.array_split(shuffler.permutation(len(train_X)), n_batches)
        losses, accuracies, sizes = [], [], []
        for number, chunk in enumerate(chunks):
            bx, by = tf.gather(train_X, chunk), tf.gather(train_y, chunk)
            with tf.GradientTape() as tape:
                logits = generate_network(bx, weights, biases, list(layers),
                                          drop_out=bool(dropout), dropout=dropout)
                loss = cost(logits, by)
            adam.step(tape.gradient(loss, variables))
            losses.append(float(loss))
            accuracies.append(float(accuracy(logits, by)))
            sizes.append(len(chunk))
            if on_batch is not None:
                on_batch(epoch, number, n_batches, losses[-1], accuracies[-1])
        test_loss, test_accuracy = evaluate(test_X, test_y, weights, biases, layers)
        values = (float(np.average(losses, weights=sizes)), test_loss,
                  float(np.average(accuracies, weights=sizes)), test_accuracy)
        for name, value in zip(names, values):
            history[name].append(value)
        if on_epoch is not None:
            on_epoch(epoch, dict(zip(names, values)))
    return [history[name] for name in names]
