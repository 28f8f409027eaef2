# Tu fichero de la kata: sustituye cada `raise NotImplementedError(...)` por tu código.
# Your file for the kata: fill in every `raise NotImplementedError(...)`.
# `kata reset maxpool2d` lo deja como estaba · `kata reset maxpool2d` puts it back as it was.
"""Paso 4 · maxpool2d — quedarse con la respuesta más fuerte de cada ventana k × k.

El pooling divide el alto y el ancho (entre 2 con k = 2), así las capas siguientes ven una parte
mayor de la imagen con menos números. La ventana y el salto valen los dos k, de modo que las
ventanas no se solapan. El padding SAME redondea hacia arriba: 28 → 14 y 7 → 4 (VALID redondearía
hacia abajo, a 3, y perdería la última fila).

———

Step 4 · maxpool2d — keep the strongest response of each k × k window.

Pooling halves the height and width (for k = 2) so later layers see a wider part of the image
with fewer numbers. The window and the stride are both k, so windows do not overlap. SAME padding
rounds the size up: 28 → 14, and 7 → 4 (VALID would round down to 3 and drop the last row).
"""

import tensorflow as tf


def maxpool2d(x, k=2):
    """Max pooling k × k con salto k y padding SAME.

    x: (lote, alto, ancho, canales).
    Devuelve (lote, ⌈alto / k⌉, ⌈ancho / k⌉, canales).

    ———

    k × k max pooling with stride k and SAME padding.

    x: (batch, height, width, channels).
    Returns (batch, ceil(height / k), ceil(width / k), channels).
    """
    raise NotImplementedError("aún sin implementar: completa exercises/maxpool2d.py (paso 'maxpool2d') · not implemented yet: fill in exercises/maxpool2d.py (step 'maxpool2d')")
