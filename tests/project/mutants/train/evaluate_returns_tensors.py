"""evaluate returns the loss and accuracy as TensorFlow tensors, not the Python floats its docstring promises."""

EDITS = [
    ("        total_loss += float(loss) * len(bx)\n        total_hits += float(acc) * len(bx)\n",
     "        total_loss += loss * len(bx)\n        total_hits += acc * len(bx)\n"),
]
