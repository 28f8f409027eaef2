"""Seed (Paso 1.6) with its own two-argument signature print_results(train_loss, test_loss), returning None."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'print_results called plt.show()'

import matplotlib.pyplot as plt


def print_results(train_loss, test_loss):
    plt.plot(range(len(train_loss)), train_loss, 'b', label='Loss entrenamiento')
    plt.plot(range(len(test_loss)), test_loss, 'r', label='Loss test')
    plt.title('Entrenamiento y test')
    plt.xlabel('Iteraciones', fontsize=16)
    plt.ylabel('Loss', fontsize=16)
    plt.legend()
    plt.figure()
    plt.show()
