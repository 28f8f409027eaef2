"""Hint 3 of data, written out as a learner reads it: np.eye's rows picked by the labels; read_data_sets, then one_hot of each part's labels."""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    ("""    labels = np.asarray(labels).reshape(-1).astype(np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must lie in [0, {num_classes}), got values from {labels.min()} to {labels.max()}")
    return np.eye(num_classes, dtype=np.float32)[labels]
""", """    return np.eye(num_classes, dtype=np.float32)[labels]
"""),
    ("""    options = {} if source_url is None else {"source_url": source_url}
    sets = input_data.read_data_sets(data_dir, validation_size=validation_size, **options)
    return (sets.train.images, one_hot(sets.train.labels),
            sets.test.images, one_hot(sets.test.labels))
""", """    sets = input_data.read_data_sets(data_dir, validation_size=validation_size)
    return (sets.train.images, one_hot(sets.train.labels), sets.test.images, one_hot(sets.test.labels))
"""),
]
