"""fchollet/deep-learning-with-python-notebooks first_edition/5.1: compile(optimizer='rmsprop', loss='categorical_crossentropy',
metrics=['accuracy']) (3.5/5.2 use metrics=['acc']); fit(train_images, train_labels, epochs=5, batch_size=64)."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'The optimizer is RMSprop'



def compile_model(model, learning_rate=0.001):
    model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['acc'])
    return model


def train_model(model, data, epochs=10, batch_size=128, *, callbacks=None, verbose=0):
    train_X, train_y, test_X, test_y = data
    return model.fit(train_X, train_y, epochs=epochs, batch_size=batch_size,
                     validation_data=(test_X, test_y), callbacks=callbacks, verbose=verbose)
