"""Hint 3 of keras_model, written out as a learner reads it: the reference is already that Sequential stack, layer by layer."""

# Edits of solutions/ (its solution markers removed): none, the reference is the hint's code.
EDITS = []
