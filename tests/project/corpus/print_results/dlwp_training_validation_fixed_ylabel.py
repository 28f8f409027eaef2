"""fchollet/deep-learning-with-python-notebooks first_edition/3.5: epochs = range(1, len+1); 'bo' label='Training loss',
'b' label='Validation loss'; title; xlabel('Epochs'); ylabel('Loss') — kept 'Loss' in the accuracy plot too. Adapted:
own figure, returned, no show; the words follow the metric as the notebook does ('Training acc')."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'a line without markers needs two points'

import matplotlib.pyplot as plt


def print_results(train_values, test_values, *, metric="loss", path=None):
    fig = plt.figure()
    epochs = range(1, len(train_values) + 1)
    plt.plot(epochs, train_values, 'bo', label='Training ' + metric)
    plt.plot(epochs, test_values, 'b', label='Validation ' + metric)
    plt.title('Training and validation ' + metric)
    plt.xlabel('Epochs')
    plt.ylabel('Loss')
    plt.legend()
    if path is not None:
        fig.savefig(path)
    return fig
