"""keras-team/keras-io examples/vision/mnist_convnet.py: model.compile(loss="categorical_crossentropy", optimizer="adam",
metrics=["accuracy"]); model.fit(x, y, batch_size=..., epochs=..., validation_split=0.1)."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'left a learning rate of 0.001'



def compile_model(model, learning_rate=0.001):
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def train_model(model, data, epochs=10, batch_size=128, *, callbacks=None, verbose=0):
    train_X, train_y, test_X, test_y = data
    return model.fit(train_X, train_y, batch_size=batch_size, epochs=epochs, validation_split=0.1,
                     callbacks=callbacks, verbose=verbose)
