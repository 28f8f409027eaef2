"""Never applies dropout, and reports each batch's loss measured after the update (the course's TF1 loop).

The old dropout test read the reported loss, which differs from the no-dropout loss only because the
update happened; the test now compares the weights an update leaves with and without dropout.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    ("""        with tf.GradientTape() as tape:
            logits = generate_network(bx, weights, biases, layers, drop_out=use_dropout, dropout=dropout)
            loss = cost(logits, by)
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss, accuracy(logits, by)
""", """        with tf.GradientTape() as tape:
            loss = cost(generate_network(bx, weights, biases, layers), by)
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        logits = generate_network(bx, weights, biases, layers)
        return cost(logits, by), accuracy(logits, by)
"""),
]
