"""Hint 3 of train, written out as a learner reads it: a GradientTape around the cost, its gradients applied by the optimizer, the test set measured with evaluate after each epoch."""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    ("""        with tf.GradientTape() as tape:
            logits = generate_network(bx, weights, biases, layers, drop_out=use_dropout, dropout=dropout)
            loss = cost(logits, by)
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss, accuracy(logits, by)
""", """        with tf.GradientTape() as tape:
            loss = cost(generate_network(bx, weights, biases, layers, drop_out=use_dropout, dropout=dropout), by)
        grads = tape.gradient(loss, weights + biases)
        optimizer.apply_gradients(zip(grads, weights + biases))
        return loss, accuracy(generate_network(bx, weights, biases, layers), by)
"""),
]
