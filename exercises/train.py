# Tu fichero de la kata: sustituye cada `raise NotImplementedError(...)` por tu código.
# Your file for the kata: fill in every `raise NotImplementedError(...)`.
# `kata reset train` lo deja como estaba · `kata reset train` puts it back as it was.
"""Paso 7 · train — el bucle de entrenamiento, escrito a mano.

Cada época recorre una vez cada imagen de entrenamiento, por lotes, en un orden aleatorio nuevo.
Para cada lote:

1. los logits de la red (con dropout, si se pide);
2. el coste: la entropía cruzada softmax frente a las etiquetas one-hot, media del lote;
3. los gradientes del coste respecto a cada peso y sesgo (`tf.GradientTape`);
4. una actualización de Adam que los aplica.

Tras cada época guarda cuatro números: la pérdida y la exactitud medias de todos los lotes de esa
época, y la pérdida y la exactitud en el conjunto de test, evaluado por lotes (las 10.000 imágenes
de test de una vez necesitarían unos 3 GB). El curso guardaba solo el último valor; uno por época
dibuja una curva.

———

Step 7 · train — the training loop, written out by hand.

Each epoch visits every training image once, in batches, in a new random order. For each batch:

1. the logits of the network (with dropout, if asked for);
2. the cost: softmax cross-entropy against the one-hot labels, averaged over the batch;
3. the gradients of the cost with respect to every weight and bias (`tf.GradientTape`);
4. one Adam step that applies them.

After each epoch it records four numbers: the mean loss and accuracy over all that epoch's
batches, and the loss and accuracy on the test set, evaluated in batches (the 10,000 test images
in one call would need about 3 GB). The course kept only the last value; one per epoch draws a curve.
"""

import numpy as np
import tensorflow as tf

from generate_network import COURSE_LAYERS, generate_network, init_parameters


def cost(logits, labels):
    """Entropía cruzada softmax media. logits, labels: (lote, n_clases), labels one-hot → escalar.

    ———

    Mean softmax cross-entropy. logits, labels: (batch, n_classes), labels one-hot → scalar.
    """
    raise NotImplementedError("aún sin implementar: completa exercises/train.py (paso 'train') · not implemented yet: fill in exercises/train.py (step 'train')")


def accuracy(logits, labels):
    """Fracción de filas cuyo logit mayor está en la clase de la etiqueta → escalar float32 en [0, 1].

    ———

    Fraction of rows whose largest logit is at the label's class → scalar float32 in [0, 1].
    """
    raise NotImplementedError("aún sin implementar: completa exercises/train.py (paso 'train') · not implemented yet: fill in exercises/train.py (step 'train')")


@tf.function(reduce_retracing=True)
def _batch_metrics(x, y, weights, biases, layers):
    logits = generate_network(x, weights, biases, layers)
    return cost(logits, y), accuracy(logits, y)


def evaluate(X, y, weights, biases, layers=COURSE_LAYERS, batch_size=1000):
    """Pérdida y exactitud de la red (sin dropout) sobre todo X, un lote cada vez.

    X: (N, 784) float32; y: (N, n_clases) one-hot. Devuelve (pérdida, exactitud) como float de
    Python, cada uno la media sobre los N ejemplos (cada lote pesa según su tamaño).

    ———

    Loss and accuracy of the network (no dropout) over all of X, a batch at a time.

    X: (N, 784) float32; y: (N, n_classes) one-hot. Returns (loss, accuracy) as Python floats,
    each the mean over all N examples (batches weighted by their size).
    """
    raise NotImplementedError("aún sin implementar: completa exercises/train.py (paso 'train') · not implemented yet: fill in exercises/train.py (step 'train')")


def train(data, training_iters=10, learning_rate=0.001, batch_size=128, *, seed=None, dropout=None,
          layers=COURSE_LAYERS, parameters=None, on_batch=None, on_epoch=None):
    """Entrena la red y devuelve sus curvas de aprendizaje.

    data: (train_X, train_y, test_X, test_y) como los devuelve `load_data`.
    training_iters: épocas; learning_rate: la tasa de aprendizaje de Adam; batch_size: imágenes por lote.
    seed: hace repetibles los pesos iniciales y el barajado.
    dropout: la tasa de TensorFlow 2 al entrenar (None: sin dropout); nunca se usa al evaluar.
    parameters: (weights, biases) que se entrenan en su sitio; si es None, unos nuevos de `init_parameters`.
    on_batch(epoch, batch, n_batches, loss, accuracy) y on_epoch(epoch, metrics): funciones opcionales
    (números desde 0; metrics es un dict con los cuatro valores de abajo) para barras de progreso.
    Devuelve [train_loss, test_loss, train_accuracy, test_accuracy], un float por época en cada una.

    ———

    Train the network and return its learning curves.

    data: (train_X, train_y, test_X, test_y) as `load_data` returns them.
    training_iters: epochs; learning_rate: Adam's step size; batch_size: images per batch.
    seed: makes the initial weights and the shuffling repeatable.
    dropout: TensorFlow 2's rate during training (None: no dropout); never used to evaluate.
    parameters: (weights, biases) to train in place; new ones from `init_parameters` when None.
    on_batch(epoch, batch, n_batches, loss, accuracy) and on_epoch(epoch, metrics): optional
    callbacks (0-based numbers; metrics is a dict of the four values below) for progress bars.
    Returns [train_loss, test_loss, train_accuracy, test_accuracy], one float per epoch each.
    """
    train_X, train_y, test_X, test_y = data
    if parameters is None:
        parameters = init_parameters(n_output=train_y.shape[1], seed=seed)
    weights, biases = parameters
    rng = np.random.default_rng(seed)
    history = [[], [], [], []]
    raise NotImplementedError("aún sin implementar: completa exercises/train.py (paso 'train') · not implemented yet: fill in exercises/train.py (step 'train')")
    return history
