"""Seed (ejercicio_03_cnn.md, Paso 1.3): plt.subplot(location); np.reshape; np.argmax(label); plt.imshow; plt.title.

Only adaptation: return the Axes (the seed returns None, as seed_returns_none.py keeps it); the labels
come from input_data.LABELS.
"""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'np.argmax of an integer label (a single number) is always 0'

BASE = "seed_returns_none.py"
EDITS = [
    ('    plt.title("(Label: " + str(LABELS[label]) + ")")\n',
     '    plt.title("(Label: " + str(LABELS[label]) + ")")\n    return plt.gca()\n'),
]
