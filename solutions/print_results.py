"""Paso 8 · print_results — las curvas de aprendizaje.

Si la pérdida de entrenamiento sigue bajando mientras la de test empieza a subir, la red
memoriza (sobreajuste); si bajan las dos juntas, todavía aprende algo que generaliza.

———

Step 8 · print_results — the learning curves.

Training loss that keeps falling while test loss turns upward is overfitting; both falling
together means the network still learns something that generalises.
"""

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator


def print_results(train_values, test_values, *, metric="loss", path=None):
    """Una figura con las curvas de entrenamiento y de test de `metric`, un punto marcado por época.

    Las épocas se cuentan desde 1, como las cuenta `kata train`; cada punto lleva un marcador, así una
    sola época (`kata train --epochs 1`) también se ve.

    train_values, test_values: secuencias de float, uno por época (como las devuelve `train`).
    metric: lo que miden, "loss" o "accuracy"; da nombre al eje y y a la leyenda.
    path: dónde guardar la figura en PNG, si se da.
    Devuelve la Figure de matplotlib (nunca llama a plt.show(), así la usan los tests y los scripts).

    ———

    One figure with the training and test curves of `metric`, one marked point per epoch.

    Epochs are counted from 1, as `kata train` counts them; every point has a marker, so a single
    epoch (`kata train --epochs 1`) shows too.

    train_values, test_values: sequences of floats, one per epoch (as `train` returns them).
    metric: what they measure, "loss" or "accuracy"; it names the y axis and the legend.
    path: where to save the figure as PNG, if given.
    Returns the matplotlib Figure (never calls plt.show(), so tests and scripts can use it).
    """
    ### BEGIN SOLUTION
    fig, axes = plt.subplots(figsize=(7, 4.5))
    axes.plot(range(1, len(train_values) + 1), train_values, "b-o", label=f"entrenamiento · train: {metric}")
    axes.plot(range(1, len(test_values) + 1), test_values, "r-o", label=f"test: {metric}")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))   # epochs are whole numbers
    axes.set_title(f"Entrenamiento y test · Training and test: {metric}")
    axes.set_xlabel("época · epoch")
    axes.set_ylabel(metric)
    axes.legend()
    axes.grid(alpha=0.3)
    if path is not None:
        fig.savefig(path, dpi=100)
    return fig
    ### END SOLUTION
