"""rickiepark/hg-mldl 8-2.ipynb / 7-3.ipynb: plot(loss); plot(val_loss); xlabel('epoch'); ylabel('loss'); legend(['train', 'val']);
no title. Adapted: own figure, ylabel(metric), returned, no show."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'must count the epochs from 1'

import matplotlib.pyplot as plt


def print_results(train_values, test_values, *, metric="loss", path=None):
    fig = plt.figure()
    plt.plot(train_values)
    plt.plot(test_values)
    plt.xlabel('epoch')
    plt.ylabel(metric)
    plt.legend(['train', 'val'])
    if path is not None:
        fig.savefig(path)
    return fig
