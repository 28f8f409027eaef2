"""Hint 3 of print_results, written out as a learner reads it: one figure, two curves with labels, the axes named, a legend, saved when a path is given."""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    ("""    fig, axes = plt.subplots(figsize=(7, 4.5))
    axes.plot(range(1, len(train_values) + 1), train_values, "b-o", label=f"entrenamiento · train: {metric}")
    axes.plot(range(1, len(test_values) + 1), test_values, "r-o", label=f"test: {metric}")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))   # epochs are whole numbers
    axes.set_title(f"Entrenamiento y test · Training and test: {metric}")
    axes.set_xlabel("época · epoch")
    axes.set_ylabel(metric)
    axes.legend()
    axes.grid(alpha=0.3)
    if path is not None:
        fig.savefig(path, dpi=100)
    return fig
""", """    fig, ax = plt.subplots()
    ax.plot(range(1, len(train_values) + 1), train_values, marker='o', label='train')
    ax.plot(range(1, len(test_values) + 1), test_values, marker='o', label='test')
    ax.set_title(f'Training and test: {metric}')
    ax.set_xlabel('epoch')
    ax.set_ylabel(metric)
    ax.legend()
    if path:
        fig.savefig(path)
    return fig
"""),
]
