# Tu fichero de la kata: sustituye cada `raise NotImplementedError(...)` por tu código.
# Your file for the kata: fill in every `raise NotImplementedError(...)`.
# `kata reset fully_connected` lo deja como estaba · `kata reset fully_connected` puts it back as it was.
"""Paso 5 · fully_connected — una capa densa: cada entrada llega a cada unidad.

Tras las convoluciones, cada imagen es un bloque de 7 × 7 × 64 números; una capa densa lo aplana
primero en una fila de 3136 y después la multiplica por una matriz de pesos (3136, 512).

———

Step 5 · fully_connected — a dense layer: every input feeds every unit.

After the convolutions, each image is a block of 7 × 7 × 64 numbers; a dense layer first flattens
it into one row of 3136 and then multiplies by a weight matrix (3136, 512).
"""

import tensorflow as tf


def fully_connected(x, w, b):
    """Aplanar, multiplicar, sumar el sesgo y ReLU.

    x: (lote, ...) con w.shape[0] números por ejemplo, p. ej. (lote, 7, 7, 64) o (lote, 3136).
    w: (unidades_entrada, unidades_salida); b: (unidades_salida,).
    Devuelve (lote, unidades_salida), todo ≥ 0.

    ———

    Flatten, multiply, add the bias, ReLU.

    x: (batch, ...) with w.shape[0] numbers per example, e.g. (batch, 7, 7, 64) or (batch, 3136).
    w: (in_units, out_units); b: (out_units,).
    Returns (batch, out_units), all ≥ 0.
    """
    raise NotImplementedError("aún sin implementar: completa exercises/fully_connected.py (paso 'fully_connected') · not implemented yet: fill in exercises/fully_connected.py (step 'fully_connected')")
