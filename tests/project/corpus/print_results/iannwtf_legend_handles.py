"""thonor111/AssignmentsIANNwtfGroup12 assignment4/visualisation.py: line1, = plt.plot(...); plt.legend((line1, line2), ("training", "test")).
Adapted: two curves, a title, ylabel(metric), the figure returned instead of plt.show()."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'must count the epochs from 1'

import matplotlib.pyplot as plt


def print_results(train_values, test_values, *, metric="loss", path=None):
    fig = plt.figure()
    line1, = plt.plot(train_values)
    line2, = plt.plot(test_values)
    plt.title("Training and test " + metric)
    plt.xlabel("Training steps")
    plt.ylabel(metric)
    plt.legend((line1, line2), ("training", "test"))
    if path is not None:
        fig.savefig(path)
    return fig
