# Tu fichero de la kata: sustituye cada `raise NotImplementedError(...)` por tu código.
# Your file for the kata: fill in every `raise NotImplementedError(...)`.
# `kata reset conv2d` lo deja como estaba · `kata reset conv2d` puts it back as it was.
"""Paso 3 · conv2d — una capa convolucional: convolución, sesgo y ReLU.

Los tensores son NHWC: lote × alto × ancho × canales. Un banco de filtros 3 × 3, W de forma
(3, 3, canales_entrada, canales_salida), recorre la imagen; cada posición da un valor por canal
de salida. Con padding SAME el borde se rellena con ceros y una imagen de 28 × 28 sigue midiendo
28 × 28 con salto 1 (VALID daría 26 × 26 y los píxeles del borde contarían menos).

———

Step 3 · conv2d — a convolutional layer: convolution, bias, ReLU.

Tensors are NHWC: batch × height × width × channels. A 3 × 3 filter bank W of shape
(3, 3, in_channels, out_channels) slides over the image; each position gives one value per output
channel. With SAME padding the border is padded with zeros so a 28 × 28 image stays 28 × 28 at
stride 1 (VALID would give 26 × 26 and the border pixels would count less).
"""

import tensorflow as tf


def conv2d(x, W, b, strides=1):
    """Convolución SAME de `x` con `W`, más el sesgo `b`, y después ReLU.

    x: (lote, alto, ancho, canales_entrada) float32.
    W: (kh, kw, canales_entrada, canales_salida).
    b: (canales_salida,), un sesgo por canal de salida.
    strides: el salto de la ventana en alto y en ancho.
    Devuelve (lote, ⌈alto / strides⌉, ⌈ancho / strides⌉, canales_salida), todo ≥ 0.

    ———

    SAME convolution of `x` with `W`, plus the bias `b`, then ReLU.

    x: (batch, height, width, in_channels) float32.
    W: (kh, kw, in_channels, out_channels).
    b: (out_channels,), one bias per output channel.
    strides: the step of the window in height and width.
    Returns (batch, ceil(height / strides), ceil(width / strides), out_channels), all ≥ 0.
    """
    raise NotImplementedError("aún sin implementar: completa exercises/conv2d.py (paso 'conv2d') · not implemented yet: fill in exercises/conv2d.py (step 'conv2d')")
