"""Applies dropout after every block (convolutions included), not only before the output layer."""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    ("""        if code == 1:
            previous = maxpool2d(conv2d(previous, w, b), k=2)
""", """        if code == 1:
            previous = maxpool2d(conv2d(previous, w, b), k=2)
            if drop_out and dropout:
                previous = tf.nn.dropout(previous, rate=dropout)
"""),
]
