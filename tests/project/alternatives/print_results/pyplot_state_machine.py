"""The pyplot state machine on a new figure, dotted markers and Spanish labels as in the course.

plt.figure() makes the new figure current, so plt.plot and friends draw on it and nothing else.
"""

import matplotlib.pyplot as plt

_NAMES = {"loss": "Loss (pérdida)", "accuracy": "Accuracy (exactitud)"}


def print_results(train_values, test_values, *, metric="loss", path=None):
    """Figure with the training and test curves of `metric`; saved to `path` when given."""
    fig = plt.figure(figsize=(8, 5))
    name = _NAMES.get(metric, metric)
    epochs = range(1, len(train_values) + 1)
    plt.plot(epochs, train_values, "b.-", label=f"{name} entrenamiento")
    plt.plot(epochs, test_values, "r.-", label=f"{name} test")
    plt.suptitle("Entrenamiento y test")
    plt.xlabel("Época", fontsize=14)
    plt.ylabel(name, fontsize=14)
    plt.legend()
    if path:
        fig.savefig(path)
    return fig
