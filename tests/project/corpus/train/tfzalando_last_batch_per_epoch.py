"""thepr0blem/tf-zalando main.py train_and_save_model: file-order batches, the loss/acc of the last batch of the epoch
(measured after its update) appended once per epoch, then the whole validation set evaluated in one call."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = "it is the last batch's loss"

import numpy as np
import tensorflow as tf

from generate_network import COURSE_LAYERS, generate_network, init_parameters


def cost(logits, labels):
    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=labels))


def accuracy(logits, labels):
    return tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(labels, 1)), tf.float32))


def evaluate(X, y, weights, biases, layers=COURSE_LAYERS, batch_size=1000):
    total_loss = total_hits = 0.0
    for start in range(0, len(X), batch_size):
        logits = generate_network(X[start:start + batch_size], weights, biases, layers)
        n = len(X[start:start + batch_size])
        total_loss += float(cost(logits, y[start:start + batch_size])) * n
        total_hits += float(accuracy(logits, y[start:start + batch_size])) * n
    return total_loss / len(X), total_hits / len(X)


def train(data, training_iters=10, learning_rate=0.001, batch_size=128, *, seed=None, dropout=None,
          layers=COURSE_LAYERS, parameters=None, on_batch=None, on_epoch=None):
    train_X, train_y, test_X, test_y = data
    if parameters is None:
        parameters = init_parameters(n_output=train_y.shape[1], seed=seed)
    weights, biases = parameters
    rng = np.random.default_rng(seed)
    history = [[], [], [], []]
    optimizer = tf.keras.optimizers.Adam(learning_rate=learning_rate)
    variables = list(weights) + list(biases)
    n_batches = -(-len(train_X) // batch_size)
    for i in range(training_iters):
        for batch in range(n_batches):
            batch_x = train_X[batch * batch_size:min((batch + 1) * batch_size, len(train_X))]
            batch_y = train_y[batch * batch_size:min((batch + 1) * batch_size, len(train_y))]
            with tf.GradientTape() as tape:
                loss_value = cost(generate_network(batch_x, weights, biases, layers,
                                                   drop_out=dropout is not None, dropout=dropout), batch_y)
            optimizer.apply_gradients(zip(tape.gradient(loss_value, variables), variables))
            logits = generate_network(batch_x, weights, biases, layers)
            loss, acc = float(cost(logits, batch_y)), float(accuracy(logits, batch_y))
            if on_batch:
                on_batch(i, batch, n_batches, loss, acc)
        valid_loss, test_acc = evaluate(test_X, test_y, weights, biases, layers)
        for values, value in zip(history, (loss, valid_loss, acc, test_acc)):
            values.append(value)
        if on_epoch:
            on_epoch(i, dict(zip(("train_loss", "test_loss", "train_accuracy", "test_accuracy"), (h[-1] for h in history))))
    return history
