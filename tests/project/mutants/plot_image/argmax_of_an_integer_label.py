"""Always takes np.argmax(label), which is 0 for an integer label (the course's own plot_image)."""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    ("    number = int(np.argmax(label)) if label.ndim else int(label)\n", "    number = int(np.argmax(label))\n"),
]
