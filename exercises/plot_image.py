# Tu fichero de la kata: sustituye cada `raise NotImplementedError(...)` por tu código.
# Your file for the kata: fill in every `raise NotImplementedError(...)`.
# `kata reset plot_image` lo deja como estaba · `kata reset plot_image` puts it back as it was.
"""Paso 2 · plot_image — mirar los datos antes de aprender de ellos.

Un dibujo dice enseguida si imágenes y etiquetas van juntas: una bota titulada "Ankle boot" está
bien; una bota titulada "Bag" quiere decir que las etiquetas se desordenaron.

———

Step 2 · plot_image — look at the data before learning from it.

A picture shows at once whether images and labels line up: a boot titled "Ankle boot" is right,
a boot titled "Bag" means the labels were shuffled apart from the images.
"""

import numpy as np

import input_data


def plot_image(plt, data, label, size, location):
    """Dibuja una imagen en un subplot, con el nombre de su clase como título.

    plt: `matplotlib.pyplot` o una Figure (algo con `subplot` o con `add_subplot`): admite los dos.
    data: la imagen, aplanada (784,) o ya (28, 28).
    label: el número de clase 0..9, o su fila one-hot (10,).
    size: el (alto, ancho) de la imagen, p. ej. (28, 28).
    location: dónde va el subplot: un número de 3 cifras como 121 o una tupla (filas, columnas, índice).
    Devuelve los Axes de matplotlib en los que dibujó.

    ———

    Draw one image on a subplot, titled with its class name.

    plt: `matplotlib.pyplot` (or a Figure: anything with `subplot`/`add_subplot`).
    data: the image, flattened (784,) or already (28, 28).
    label: the class number 0..9, or its one-hot row (10,).
    size: the image's (height, width), e.g. (28, 28).
    location: where the subplot goes: a 3-digit number like 121 or a tuple (rows, cols, index).
    Returns the matplotlib Axes it drew on.
    """
    raise NotImplementedError("aún sin implementar: completa exercises/plot_image.py (paso 'plot_image') · not implemented yet: fill in exercises/plot_image.py (step 'plot_image')")
