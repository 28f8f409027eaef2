"""Seed (ejercicio_03_cnn.md, Paso 1.6 'print_results'): pyplot state machine, range(len(...)) on x, labels
'Loss entrenamiento' / 'Loss test', ylabel 'Loss' fixed, plt.legend(), then plt.figure() and plt.show().
Adapted only in the signature (metric, path accepted) and `return plt.gcf()`, which after plt.figure() is the NEW empty figure."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'print_results called plt.show()'

import matplotlib.pyplot as plt


def print_results(train_values, test_values, *, metric="loss", path=None):
    plt.plot(range(len(train_values)), train_values, 'b', label='Loss entrenamiento')
    plt.plot(range(len(test_values)), test_values, 'r', label='Loss test')
    plt.title('Entrenamiento y test')
    plt.xlabel('Iteraciones', fontsize=16)
    plt.ylabel('Loss', fontsize=16)
    plt.legend()
    plt.figure()
    plt.show()
    return plt.gcf()
