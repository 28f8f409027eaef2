"""archd3sai/CodeSnippets NN_history_print.py (and the Keras-history idiom): plt.plot(values) twice, no label=,
plt.legend(['train', 'test'], loc='upper left'). Adapted: own figure, title, ylabel(metric), return it, no show."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'must count the epochs from 1'

import matplotlib.pyplot as plt


def print_results(train_values, test_values, *, metric="loss", path=None):
    fig = plt.figure()
    plt.plot(train_values)
    plt.plot(test_values)
    plt.title('model ' + metric)
    plt.ylabel(metric)
    plt.xlabel('epoch')
    plt.legend(['train', 'test'], loc='upper left')
    if path is not None:
        fig.savefig(path)
    return fig
