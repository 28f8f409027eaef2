"""aymericdamien/TensorFlow-Examples tensorflow_v2 convolutional_network_raw.ipynb: run_optimization calls conv_net(x) with no dropout at all; adapted, the training step never passes drop_out/dropout to generate_network."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'dropout is not used when computing the gradients'

# Edits of solutions/train.py (its solution markers removed): the reference written this way.
EDITS = [
    (
        '            logits = generate_network(bx, weights, biases, layers, drop_out=use_dropout, dropout=dropout)\n',
        '            logits = generate_network(bx, weights, biases, layers)\n',
    ),
]
