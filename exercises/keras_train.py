# Tu fichero de la kata: sustituye cada `raise NotImplementedError(...)` por tu código.
# Your file for the kata: fill in every `raise NotImplementedError(...)`.
# `kata reset keras_train` lo deja como estaba · `kata reset keras_train` puts it back as it was.
"""Paso 10 · keras_train — compile y fit: el bucle de entrenamiento del paso 7 en dos llamadas.

`compile` nombra lo que el paso 7 escribía a mano (el coste, el optimizador, la exactitud); `fit`
recorre las épocas, los lotes, el barajado y la evaluación de test, y devuelve las mismas curvas.

———

Step 10 · keras_train — compile and fit: the training loop of step 7 in two calls.

`compile` names what step 7 wrote by hand (the cost, the optimizer, the accuracy); `fit` runs the
epochs, the batches, the shuffling and the test evaluation, and returns the same curves.
"""

import keras


def compile_model(model, learning_rate=0.001):
    """Prepara `model` para entrenar: Adam, entropía cruzada categórica de logits y exactitud.

    La red termina en logits (sin softmax), así que la pérdida tiene que saberlo: `from_logits=True`.
    La métrica de exactitud se llama "accuracy" (las etiquetas son one-hot). Devuelve el modelo.

    ———

    Ready `model` for training: Adam, from-logits categorical cross-entropy, accuracy.

    The network ends in logits (no softmax), so the loss must be told `from_logits=True`.
    The accuracy metric must be named "accuracy" (labels are one-hot). Returns the model.
    """
    raise NotImplementedError("aún sin implementar: completa exercises/keras_train.py (paso 'keras_train') · not implemented yet: fill in exercises/keras_train.py (step 'keras_train')")


def train_model(model, data, epochs=10, batch_size=128, *, callbacks=None, verbose=0):
    """Entrena con fit un modelo compilado y devuelve su History de keras.

    data: (train_X, train_y, test_X, test_y) como los devuelve `load_data`; el conjunto de test es
    la validación, así que history.history guarda loss, accuracy, val_loss y val_accuracy por época.

    ———

    Fit a compiled model and return its keras History.

    data: (train_X, train_y, test_X, test_y) as `load_data` returns them; the test set is the
    validation data, so history.history holds loss, accuracy, val_loss and val_accuracy per epoch.
    """
    raise NotImplementedError("aún sin implementar: completa exercises/keras_train.py (paso 'keras_train') · not implemented yet: fill in exercises/keras_train.py (step 'keras_train')")
