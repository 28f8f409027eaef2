"""Seed (Paso 1.6) with its own two-argument signature print_results(train_loss, test_loss), returning None:
seed_state_machine_show.py without its two adaptations."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'print_results called plt.show()'

BASE = "seed_state_machine_show.py"
EDITS = [
    ("def print_results(train_values, test_values, *, metric=\"loss\", path=None):\n"
     "    plt.plot(range(len(train_values)), train_values, 'b', label='Loss entrenamiento')\n"
     "    plt.plot(range(len(test_values)), test_values, 'r', label='Loss test')\n",
     "def print_results(train_loss, test_loss):\n"
     "    plt.plot(range(len(train_loss)), train_loss, 'b', label='Loss entrenamiento')\n"
     "    plt.plot(range(len(test_loss)), test_loss, 'r', label='Loss test')\n"),
    ("    plt.show()\n    return plt.gcf()\n", "    plt.show()\n"),
]
