"""Draws on plt's current figure (plt.gca()) and returns it, instead of making a new one.

When the caller already has a figure open, the curves are added on top of it.
"""

import matplotlib.pyplot as plt


def print_results(train_values, test_values, *, metric="loss", path=None):
    axes = plt.gca()
    axes.plot(range(1, len(train_values) + 1), train_values, "b-o", label=f"train {metric}")
    axes.plot(range(1, len(test_values) + 1), test_values, "r-o", label=f"test: {metric}")
    axes.set_title(f"Training and test: {metric}")
    axes.set_xlabel("epoch")
    axes.set_ylabel(metric)
    axes.legend()
    fig = axes.figure
    if path is not None:
        fig.savefig(path)
    return fig
