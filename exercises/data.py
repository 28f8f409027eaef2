# Tu fichero de la kata: sustituye cada `raise NotImplementedError(...)` por tu código.
# Your file for the kata: fill in every `raise NotImplementedError(...)`.
# `kata reset data` lo deja como estaba · `kata reset data` puts it back as it was.
"""Paso 1 · data — los arrays de Fashion-MNIST de los que aprende la red.

Las imágenes llegan aplanadas: un lote es una matriz de N filas × 784 columnas (28 × 28 píxeles),
float32 en [0, 1]. Las etiquetas llegan como números de clase 0..9; la pérdida de la red compara
sus 10 salidas con una fila *one-hot* por imagen: diez ceros y un único 1 en la posición de su clase.

———

Step 1 · data — the Fashion-MNIST arrays the network learns from.

Images arrive flattened: a batch is a matrix of N rows × 784 columns (28 × 28 pixels), float32 in
[0, 1]. Labels arrive as class numbers 0..9; the network's loss compares its 10 outputs with a
*one-hot* row per image: ten zeros and a single 1 at the position of the class.
"""

import numpy as np

import input_data


def one_hot(labels, num_classes=10):
    """Filas one-hot de unas etiquetas enteras.

    labels: (N,) enteros en [0, num_classes), en un array de NumPy o en una lista de Python.
    Devuelve (N, num_classes) float32: cada fila, ceros salvo un 1 en su etiqueta.

    ———

    One-hot rows for integer labels.

    labels: (N,) integers in [0, num_classes).
    Returns (N, num_classes) float32, each row all zeros but a 1 at its label.
    """
    raise NotImplementedError("aún sin implementar: completa exercises/data.py (paso 'data') · not implemented yet: fill in exercises/data.py (step 'data')")


def load_data(data_dir="data/fashion", source_url=None, validation_size=5000):
    """Los conjuntos de entrenamiento y de test, listos para la red.

    Lee los cuatro ficheros de Fashion-MNIST con `input_data.read_data_sets` (de `data_dir`,
    `FASHION_MNIST_DIR`, el paquete de Debian dataset-fashion-mnist o una descarga de `source_url`).
    Devuelve (train_X, train_y, test_X, test_y): train_X (55000, 784) y test_X (10000, 784) float32
    en [0, 1]; train_y (55000, 10) y test_y (10000, 10) one-hot float32. Las `validation_size`
    primeras imágenes de entrenamiento se apartan para validación, como hacía el curso.

    ———

    The training and test sets, ready for the network.

    Reads the four Fashion-MNIST files with `input_data.read_data_sets` (from `data_dir`,
    `FASHION_MNIST_DIR`, Debian's dataset-fashion-mnist, or a download from `source_url`).
    Returns (train_X, train_y, test_X, test_y): train_X (55000, 784) and test_X (10000, 784)
    float32 in [0, 1]; train_y (55000, 10) and test_y (10000, 10) one-hot float32. The first
    `validation_size` training images are held out, as the course did.
    """
    raise NotImplementedError("aún sin implementar: completa exercises/data.py (paso 'data') · not implemented yet: fill in exercises/data.py (step 'data')")
