"""thonor111/AssignmentsIANNwtfGroup12 assignment5/run.py + training_testing.py: evaluate train and test ONCE before the
first epoch (curves get epochs + 1 values), epoch loss = mean of the batch losses, test() = mean of per-batch means."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'the mean of the batch means counts the batch of 50'

import numpy as np
import tensorflow as tf

from generate_network import COURSE_LAYERS, generate_network, init_parameters


def cost(logits, labels):
    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits))


def accuracy(logits, labels):
    return tf.reduce_mean(tf.cast(np.argmax(labels, axis=1) == np.argmax(logits, axis=1), tf.float32))


def evaluate(X, y, weights, biases, layers=COURSE_LAYERS, batch_size=1000):
    test_accuracy_aggregator, test_loss_aggregator = [], []
    for start in range(0, len(X), batch_size):
        prediction = generate_network(X[start:start + batch_size], weights, biases, layers)
        target = y[start:start + batch_size]
        test_loss_aggregator.append(cost(prediction, target).numpy())
        test_accuracy_aggregator.append(np.mean(np.argmax(target, axis=1) == np.argmax(prediction, axis=1)))
    return float(tf.reduce_mean(test_loss_aggregator)), float(tf.reduce_mean(test_accuracy_aggregator))


def train(data, training_iters=10, learning_rate=0.001, batch_size=128, *, seed=None, dropout=None,
          layers=COURSE_LAYERS, parameters=None, on_batch=None, on_epoch=None):
    train_X, train_y, test_X, test_y = data
    if parameters is None:
        parameters = init_parameters(n_output=train_y.shape[1], seed=seed)
    weights, biases = parameters
    rng = np.random.default_rng(seed)
    history = [[], [], [], []]
    optimizer = tf.keras.optimizers.Adam(learning_rate)
    variables = list(weights) + list(biases)
    # testing once before we begin
    test_loss, test_acc = evaluate(test_X, test_y, weights, biases, layers)
    train_loss, train_acc = evaluate(train_X, train_y, weights, biases, layers)
    for values, value in zip(history, (train_loss, test_loss, train_acc, test_acc)):
        values.append(value)
    n_batches = -(-len(train_X) // batch_size)
    for epoch in range(training_iters):
        order = rng.permutation(len(train_X))
        epoch_loss_agg, epoch_acc_agg = [], []
        for batch in range(n_batches):
            index = order[batch * batch_size:(batch + 1) * batch_size]
            with tf.GradientTape() as tape:
                logits = generate_network(train_X[index], weights, biases, layers,
                                          drop_out=dropout is not None, dropout=dropout)
                loss = cost(logits, train_y[index])
            optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
            epoch_loss_agg.append(float(loss))
            epoch_acc_agg.append(float(accuracy(logits, train_y[index])))
            if on_batch:
                on_batch(epoch, batch, n_batches, float(loss), epoch_acc_agg[-1])
        test_loss, test_acc = evaluate(test_X, test_y, weights, biases, layers)
        for values, value in zip(history, (float(tf.reduce_mean(epoch_loss_agg)), test_loss,
                                           float(np.mean(epoch_acc_agg)), test_acc)):
            values.append(value)
        if on_epoch:
            on_epoch(epoch, dict(zip(("train_loss", "test_loss", "train_accuracy", "test_accuracy"), (h[-1] for h in history))))
    return history
