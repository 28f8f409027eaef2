"""Seed (ejercicio_03_cnn.md, Paso 1.8) translated to TF2 (GradientTape for sess.run(optimizer)): batches in file order,
range(len(train_X)//batch_size), loss/acc of the LAST batch, the test set in one call, and the four values appended
once, after the epoch loop (the seed's indentation).
The seed's training graph never sets drop_out, so dropout is never applied."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'only one value was kept'

import numpy as np
import tensorflow as tf

from generate_network import COURSE_LAYERS, generate_network, init_parameters


def cost(logits, labels):
    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=labels))


def accuracy(logits, labels):
    correct_prediction = tf.equal(tf.argmax(logits, 1), tf.argmax(labels, 1))
    return tf.reduce_mean(tf.cast(correct_prediction, tf.float32))


def evaluate(X, y, weights, biases, layers=COURSE_LAYERS, batch_size=1000):
    net = generate_network(X, weights, biases, layers)
    return float(cost(net, y)), float(accuracy(net, y))


def train(data, training_iters=10, learning_rate=0.001, batch_size=128, *, seed=None, dropout=None,
          layers=COURSE_LAYERS, parameters=None, on_batch=None, on_epoch=None):
    train_X, train_y, test_X, test_y = data
    if parameters is None:
        parameters = init_parameters(n_output=train_y.shape[1], seed=seed)
    weights, biases = parameters
    rng = np.random.default_rng(seed)
    history = [[], [], [], []]
    train_loss, test_loss, train_accuracy, test_accuracy = history
    optimizer = tf.keras.optimizers.Adam(learning_rate=learning_rate)
    variables = list(weights) + list(biases)
    n_batches = len(train_X) // batch_size
    for epoch in range(training_iters):
        for batch in range(n_batches):
            batch_x = train_X[batch * batch_size:min((batch + 1) * batch_size, len(train_X))]
            batch_y = train_y[batch * batch_size:min((batch + 1) * batch_size, len(train_y))]
            with tf.GradientTape() as tape:
                loss_value = cost(generate_network(batch_x, weights, biases, layers), batch_y)
            optimizer.apply_gradients(zip(tape.gradient(loss_value, variables), variables))
            net = generate_network(batch_x, weights, biases, layers)
            loss, acc = float(cost(net, batch_y)), float(accuracy(net, batch_y))
            if on_batch:
                on_batch(epoch, batch, n_batches, loss, acc)
    valid_loss, test_acc = evaluate(test_X, test_y, weights, biases, layers)
    train_loss.append(loss)
    test_loss.append(valid_loss)
    train_accuracy.append(acc)
    test_accuracy.append(test_acc)
    return history
