"""Plots with pyplot's current-figure calls and names the curves in the legend, plt.legend(["train", "test"]).

The lines themselves keep matplotlib's own labels (_child0, _child1): the legend says which is which.
"""

import matplotlib.pyplot as plt


def print_results(train_values, test_values, *, metric="loss", path=None):
    fig = plt.figure()
    plt.plot(range(1, len(train_values) + 1), train_values, marker="o")
    plt.plot(range(1, len(test_values) + 1), test_values, marker="s")
    plt.title(f"model {metric}")
    plt.ylabel(metric)
    plt.xlabel("epoch")
    plt.legend(["train", "test"], loc="upper left")
    if path is not None:
        fig.savefig(path)
    return fig
