"""Hint 3 of plot_image, written out as a learner reads it: add_subplot or subplot, the location whole or spread, the class number from a one-hot row or a number."""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    ("""    add = getattr(plt, "add_subplot", None) or plt.subplot
    axes = add(*location) if isinstance(location, (tuple, list)) else add(location)
    image = np.reshape(np.asarray(data), size)
    label = np.asarray(label)
    number = int(np.argmax(label)) if label.ndim else int(label)
    axes.imshow(image, cmap="gray_r")
    axes.set_title(f"({input_data.LABELS[number]})")
    axes.set_xticks([])
    axes.set_yticks([])
    return axes
""", """    add = plt.add_subplot if hasattr(plt, 'add_subplot') else plt.subplot
    ax = add(*location) if isinstance(location, tuple) else add(location)
    number = int(np.argmax(label)) if np.ndim(label) == 1 else int(label)
    ax.imshow(np.reshape(data, size), cmap='gray_r')
    ax.set_title(input_data.LABELS[number])
    return ax
"""),
]
