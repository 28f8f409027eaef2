"""tensorflow/docs site/en/tutorials/images/cnn.ipynb: plot(history['accuracy'], label='accuracy'); plot(history['val_accuracy'],
label='val_accuracy'); xlabel('Epoch'); ylabel('Accuracy'); legend(loc='lower right'). Adapted: own figure + title, returned."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = "the legend says ['loss', 'val_loss']"

import matplotlib.pyplot as plt


def print_results(train_values, test_values, *, metric="loss", path=None):
    fig, ax = plt.subplots()
    ax.plot(train_values, label=metric)
    ax.plot(test_values, label='val_' + metric)
    ax.set_title(metric)
    ax.set_xlabel('Epoch')
    ax.set_ylabel(metric.capitalize())
    ax.legend(loc='lower right')
    if path is not None:
        fig.savefig(path)
    return fig
