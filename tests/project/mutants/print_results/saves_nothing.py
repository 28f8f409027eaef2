"""Ignores `path`: no PNG is written.
"""

import matplotlib.pyplot as plt


def print_results(train_values, test_values, *, metric="loss", path=None):
    """One figure with the training and test curves of `metric`, one point per epoch.

    train_values, test_values: sequences of floats, one per epoch (as `train` returns them).
    metric: what they measure, "loss" or "accuracy"; it names the y axis and the legend.
    path: where to save the figure as PNG, if given.
    Returns the matplotlib Figure (never calls plt.show(), so tests and scripts can use it).
    """
    fig, axes = plt.subplots(figsize=(7, 4.5))
    axes.plot(range(1, len(train_values) + 1), train_values, "b-o", label=f"train {metric} (entrenamiento)")
    axes.plot(range(1, len(test_values) + 1), test_values, "r-o", label=f"test {metric}")
    axes.set_title(f"Entrenamiento y test · Training and test: {metric}")
    axes.set_xlabel("época · epoch")
    axes.set_ylabel(metric)
    axes.legend()
    axes.grid(alpha=0.3)
    return fig
