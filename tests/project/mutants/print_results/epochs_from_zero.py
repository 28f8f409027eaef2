"""Numbers the epochs from 0 (range(len(values))), so the first epoch shows as epoch 0."""

EDITS = [
    ("axes.plot(range(1, len(train_values) + 1), train_values,", "axes.plot(range(len(train_values)), train_values,"),
    ("axes.plot(range(1, len(test_values) + 1), test_values,", "axes.plot(range(len(test_values)), test_values,"),
]
