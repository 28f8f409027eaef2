"""rickiepark/hg-mldl 8-2.ipynb: model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy']);
fit(..., validation_data=(val_scaled, val_target), callbacks=[checkpoint_cb, early_stopping_cb])."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'left a learning rate of 0.001'

import keras


def compile_model(model, learning_rate=0.001):
    model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
    return model


def train_model(model, data, epochs=10, batch_size=128, *, callbacks=None, verbose=0):
    train_X, train_y, test_X, test_y = data
    return model.fit(train_X, train_y, epochs=epochs, batch_size=batch_size,
                     validation_data=(test_X, test_y), callbacks=callbacks, verbose=verbose)
