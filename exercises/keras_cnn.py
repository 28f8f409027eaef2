# Tu fichero de la kata: sustituye cada `raise NotImplementedError(...)` por tu código.
# Your file for the kata: fill in every `raise NotImplementedError(...)`.
# `kata reset keras_model` lo deja como estaba · `kata reset keras_model` puts it back as it was.
"""Paso 9 · keras_model — la misma red, hecha con capas de Keras.

Capa a capa es la red de TensorFlow de los pasos anteriores: las mismas formas, los mismos
1.630.090 parámetros y los mismos logits con los mismos pesos. Keras crea y sigue las variables por
su cuenta; `model.summary()` imprime la tabla que calculaste a mano.

———

Step 9 · keras_model — the same network, built from Keras layers.

Layer for layer it is the TensorFlow network of the earlier steps: the same shapes, the same
1,630,090 parameters, the same logits when given the same weights. Keras creates and tracks the
variables itself; `model.summary()` prints the table you computed by hand.
"""

import keras
from keras import layers


def build_model(n_output=10, dropout=None):
    """La CNN del curso como keras.Sequential.

    Entrada (lote, 784) → Reshape (28, 28, 1) → Conv2D 32 3×3 SAME ReLU → MaxPooling2D 2
    → Conv2D 64 3×3 SAME ReLU → MaxPooling2D 2 → Flatten (3136) → Dense 512 ReLU
    → [Dropout(dropout) si se da una tasa] → Dense n_output (logits, sin activación).

    ———

    The course CNN as a keras.Sequential.

    Input (batch, 784) → Reshape (28, 28, 1) → Conv2D 32 3×3 SAME ReLU → MaxPooling2D 2 SAME
    → Conv2D 64 3×3 SAME ReLU → MaxPooling2D 2 SAME → Flatten (3136) → Dense 512 ReLU
    → [Dropout(dropout) when a rate is given] → Dense n_output (logits, no activation).
    """
    raise NotImplementedError("aún sin implementar: completa exercises/keras_cnn.py (paso 'keras_model') · not implemented yet: fill in exercises/keras_cnn.py (step 'keras_model')")
