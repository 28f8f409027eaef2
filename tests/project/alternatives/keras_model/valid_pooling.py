"""MaxPooling2D with its default padding='valid': on the course's even sizes (28 → 14 → 7) it equals 'same'.

(It used to be a mutant; real Keras code writes MaxPooling2D(2) almost everywhere, and here it is right.)
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2, padding="same"),
        layers.Flatten(),
""",
        """        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
""",
    ),
]
