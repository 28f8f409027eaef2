"""Never passes drop_out=True to the network, so the dropout rate is ignored in training.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """            logits = generate_network(bx, weights, biases, layers, drop_out=use_dropout, dropout=dropout)
""",
        """            logits = generate_network(bx, weights, biases, layers)
""",
    ),
]
