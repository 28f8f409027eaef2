"""Draws with the pyplot state machine on whatever figure is current, and returns nothing.

The course's version: plt.plot on the current figure, so the curves land on a figure the caller
was using for something else, and there is no Figure to save or test.
"""

import matplotlib.pyplot as plt


def print_results(train_values, test_values, *, metric="loss", path=None):
    plt.plot(range(len(train_values)), train_values, "b", label=f"{metric} entrenamiento")
    plt.plot(range(len(test_values)), test_values, "r", label=f"{metric} test")
    plt.title("Entrenamiento y test")
    plt.xlabel("Iteraciones")
    plt.ylabel(metric)
    plt.legend()
    if path is not None:
        plt.savefig(path)
