"""The student notebooks, generated from the manifest by `kata build`.

`notebook_files(root)` writes one notebook per track (`notebooks/01_tensorflow.ipynb`,
`notebooks/02_keras.ipynb`): a parameters cell, a set-up cell, then for every step an
explanation, where to edit, a check cell and, for some steps, a cell that tries the result; last,
a training run with a live progress bar and its curves. The JSON is deterministic (stable cell
ids, no outputs), so a test catches a committed notebook that drifted from the manifest.

The cells call the helpers of `kata.notebook_tools` inside the kernel.
"""

from pathlib import Path

from kata import manifest

NBFORMAT_MINOR = 5


# --- generation -----------------------------------------------------------------------------

def notebook_files(root) -> dict:
    """{relative path: notebook JSON text} for every track that has steps."""
    root = Path(root)
    files = {}
    for track, (name, heading) in TRACKS.items():
        steps = manifest.steps(root, track=track)
        if steps:
            files[f"notebooks/{name}.ipynb"] = notebook_json(_notebook(track, heading, steps))
    return files


def _notebook(track, heading, steps) -> dict:
    cells = list(intro_cells(track, heading))
    for step in steps:
        cells.extend(_step_cells(step))
    cells.extend(training_cells(track))
    ids = [spec[0] for spec in cells]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:  # nbformat would silently replace them with random ids: the JSON would drift
        raise ValueError(f"notebook {heading[1]!r}: repeated cell ids {repeated}; rename a step or a cell")
    return [_cell(*spec) for spec in cells]


def _step_cells(step) -> list:
    """(id, kind, source[, tags]) specs for one step's section."""
    es, en = EXPLANATIONS.get(step.id, ("", ""))
    functions = ", ".join(f"`{f}`" for f in step.functions)
    text = (
        f"## Paso {step.number} · {step.titles['es']}\n*Step {step.number} · {step.titles['en']}*\n\n"
        + (f"{es}\n\n*{en}*\n\n" if es else "")
        + f"Edita · Edit [`exercises/{step.filename}`](../exercises/{step.filename}): {functions}. "
        f"¿Atascado? · Stuck? `kata hint {step.id}`"
    )
    cells = [
        (f"step-{step.id}-intro", "markdown", text),
        (f"step-{step.id}-where", "code", f'where("{step.id}")'),
        (f"step-{step.id}-check", "code", f'check("{step.id}");  # kata.check("{step.id}"), y para aquí si falla · and stops here on failure'),
    ]
    if step.id in TRY_CELLS:
        cells.append((f"step-{step.id}-try", "code", TRY_CELLS[step.id]))
    return cells


def _cell(cell_id, kind, source, tags=()) -> dict:
    cell = {"cell_type": kind, "id": cell_id, "metadata": {"tags": list(tags)} if tags else {},
            "source": source.strip("\n")}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def notebook_json(cells: list) -> str:
    """A python3 notebook around `cells`, validated, in nbformat's own layout (what JupyterLab
    writes back, so the committed file stays stable), with one trailing newline."""
    import nbformat

    node = nbformat.from_dict({
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": NBFORMAT_MINOR,
    })
    nbformat.validate(node)
    return nbformat.writes(node, version=4) + "\n"


# --- the notebooks' text --------------------------------------------------------------------
# Spanish first (the course's language), English in italics below. Cell sources are plain code.

TRACKS = {
    "tensorflow": ("01_tensorflow", ("Fase 2 · Una CNN con operaciones de TensorFlow",
                                     "Phase 2 · A CNN from TensorFlow operations")),
    "keras": ("02_keras", ("Fase 3 · La misma CNN con Keras", "Phase 3 · The same CNN with Keras")),
}

EXPLANATIONS = {
    "data": (
        "La red aprende de matrices: cada imagen es una fila de 784 píxeles en [0, 1] y cada etiqueta, "
        "una fila *one-hot* de 10 valores con un único 1 en la posición de su clase.",
        "The network learns from matrices: each image is a row of 784 pixels in [0, 1] and each label a "
        "one-hot row of 10 values with a single 1 at its class."),
    "plot_image": (
        "Antes de entrenar, mira los datos: una bota titulada «Bag» delataría etiquetas desordenadas.",
        "Before training, look at the data: a boot titled \"Bag\" would reveal shuffled labels."),
    "conv2d": (
        "Un banco de filtros 3 × 3 recorre la imagen; cada posición da un valor por filtro. Con padding "
        "SAME el tamaño se conserva; después se suma el sesgo y se aplica ReLU.",
        "A bank of 3 × 3 filters slides over the image, giving one value per filter at each position. SAME "
        "padding keeps the size; then add the bias and apply ReLU."),
    "maxpool2d": (
        "El *max pooling* resume cada ventana k × k con su máximo: la imagen se reduce a la mitad "
        "(con k = 2) y la red tolera pequeños desplazamientos.",
        "Max pooling summarises each k × k window by its maximum: the image halves (k = 2) and the network "
        "tolerates small shifts."),
    "fully_connected": (
        "La capa densa aplana lo que recibe y combina cada valor con todas sus salidas: x · w + b, y ReLU.",
        "The dense layer flattens its input and combines every value with every output: x · w + b, then ReLU."),
    "generate_network": (
        "Ahora se encadenan las piezas: dos bloques convolución + pooling, una capa densa y la capa de "
        "salida, que devuelve *logits* (sin ReLU ni softmax). 1.630.090 parámetros.",
        "Now chain the pieces: two convolution + pooling blocks, a dense layer and the output layer, which "
        "returns logits (no ReLU, no softmax). 1,630,090 parameters."),
    "train": (
        "El bucle de entrenamiento: por cada lote, logits, pérdida (entropía cruzada), gradientes con "
        "`tf.GradientTape` y un paso de Adam. Al final de cada época, las cuatro métricas; llama a "
        "`on_batch` y `on_epoch` para que avance la barra de progreso de abajo.",
        "The training loop: for each batch, logits, loss (cross-entropy), gradients with tf.GradientTape and "
        "one Adam step. At the end of each epoch, the four metrics; call on_batch and on_epoch so the "
        "progress bar below moves."),
    "print_results": (
        "Las curvas cuentan la historia: si la pérdida de entrenamiento baja y la de test sube, la red "
        "memoriza en vez de generalizar (*overfitting*).",
        "The curves tell the story: training loss falling while test loss rises means the network memorises "
        "instead of generalising (overfitting)."),
    "keras_model": (
        "La misma red, capa por capa, con `keras.Sequential`: Keras crea y guarda las variables, y "
        "`model.summary()` imprime la tabla de parámetros que calculaste a mano.",
        "The same network, layer by layer, with keras.Sequential: Keras creates and tracks the variables, "
        "and model.summary() prints the parameter table you worked out by hand."),
    "keras_train": (
        "`compile` nombra lo que el paso 7 escribía a mano (pérdida, optimizador, exactitud) y `fit` "
        "recorre épocas y lotes y evalúa el test.",
        "compile names what step 7 wrote by hand (loss, optimizer, accuracy) and fit runs the epochs and "
        "batches and evaluates the test set."),
}

TRY_CELLS = {
    "data": """
from data import load_data, one_hot

print(one_hot([0, 3, 9]))
train_X, train_y, test_X, test_y = load_data()
print(train_X.shape, train_y.shape, test_X.shape, test_y.shape)
""",
    "plot_image": """
from plot_image import plot_image

fig = plt.figure(figsize=(10, 3))
for i in range(4):
    plot_image(fig, train_X[i], train_y[i], (28, 28), (1, 4, i + 1))
show(fig)
""",
    "conv2d": """
from conv2d import conv2d

x = train_X[:1].reshape(1, 28, 28, 1)
W = np.random.default_rng(0).normal(size=(3, 3, 1, 4)).astype("float32")
features = conv2d(x, W, np.zeros(4, "float32"))
print(features.shape)  # (1, 28, 28, 4): SAME conserva 28 × 28 · SAME keeps 28 × 28
fig, axes = plt.subplots(1, 4, figsize=(10, 2.8))
for k, ax in enumerate(axes):
    ax.imshow(features[0, :, :, k], cmap="viridis")
    ax.set_title(f"filtro · filter {k}")
    ax.axis("off")
show(fig)
""",
    "maxpool2d": """
from maxpool2d import maxpool2d

print(maxpool2d(features).shape)  # (1, 14, 14, 4)
""",
    "fully_connected": """
from fully_connected import fully_connected

w = 0.05 * np.random.default_rng(0).normal(size=(784, 8)).astype("float32")
print(fully_connected(train_X[:5], w, np.zeros(8, "float32")).shape)  # (5, 8)
""",
    "generate_network": """
from generate_network import COURSE_LAYERS, generate_network, init_parameters

weights, biases = init_parameters(seed=0)
print(sum(int(np.prod(v.shape)) for v in weights + biases), "parámetros · parameters")  # 1630090
print(generate_network(train_X[:5], weights, biases, COURSE_LAYERS).shape)  # (5, 10)
""",
    "keras_model": """
from keras_cnn import build_model

build_model().summary()
""",
}

_PARAMETERS = """
# Parámetros · Parameters (los tests sustituyen esta celda · tests replace this cell)
IMPL = "exercises"  # tu código; "solutions" = la referencia · your code; "solutions" = the reference
TRAIN_LIMIT = 5000  # imágenes de entrenamiento; None = las 55.000 · training images; None = all 55,000
TEST_LIMIT = 2000  # imágenes de test; None = las 10.000 · test images; None = all 10,000
EPOCHS = 3  # épocas; el curso usó 10 · epochs; the course used 10
"""

_SETUP = """
%load_ext autoreload
%autoreload 2
%matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

import input_data
from kata.notebook_tools import ProgressBar, check, limit, setup, show, where

ROOT = setup(IMPL)
"""

_LOOK = """
sets = input_data.read_data_sets("data/fashion")
for name in ("train", "validation", "test"):
    part = getattr(sets, name)
    print(f"{name:>10}: {part.num_examples:6d} imágenes · images {part.images.shape}, etiquetas · labels {part.labels.shape}")

fig, axes = plt.subplots(2, 5, figsize=(10, 4.6))
for number, ax in enumerate(axes.flat):
    first = int(np.argmax(sets.train.labels == number))  # la primera de cada clase · the first of each class
    ax.imshow(sets.train.images[first].reshape(28, 28), cmap="gray_r")
    ax.set_title(f"{number}: {input_data.LABELS[number]}")
    ax.axis("off")
show(fig)
"""

_KERAS_DATA = """
sets = input_data.read_data_sets("data/fashion", one_hot=True)
data = limit((sets.train.images, sets.train.labels, sets.test.images, sets.test.labels), TRAIN_LIMIT, TEST_LIMIT)
print(f"{len(data[0])} imágenes de entrenamiento · training images, {len(data[2])} de test · test images")
"""

_TF_TRAIN = """
from data import load_data
from train import train

data = limit(load_data(), TRAIN_LIMIT, TEST_LIMIT)
print(f"{len(data[0])} imágenes de entrenamiento · training images, {len(data[2])} de test · test images")
bar = ProgressBar(EPOCHS)
train_loss, test_loss, train_accuracy, test_accuracy = train(
    data, training_iters=EPOCHS, learning_rate=0.001, batch_size=128, seed=0,
    on_batch=bar.on_batch, on_epoch=bar.on_epoch)
"""

_TF_CURVES = """
from print_results import print_results

show(print_results(train_loss, test_loss, metric="loss"))
show(print_results(train_accuracy, test_accuracy, metric="accuracy"))
print(f"Exactitud final en test · final test accuracy: {test_accuracy[-1]:.4f}")
"""

_KERAS_TRAIN = """
import keras

from keras_cnn import build_model
from keras_train import compile_model, train_model

keras.utils.set_random_seed(0)
model = compile_model(build_model(), learning_rate=0.001)
bar = ProgressBar(EPOCHS)
history = train_model(model, data, epochs=EPOCHS, batch_size=128, callbacks=[bar.keras_callback()])
"""

_KERAS_CURVES = """
curves = history.history
epochs = range(1, len(curves["loss"]) + 1)
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for ax, metric in zip(axes, ("loss", "accuracy")):
    ax.plot(epochs, curves[metric], "b-o", label=f"train {metric} (entrenamiento)")
    ax.plot(epochs, curves["val_" + metric], "r-o", label=f"test {metric}")
    ax.set_xlabel("época · epoch")
    ax.set_ylabel(metric)
    ax.legend()
show(fig)
print(f"Exactitud final en test · final test accuracy: {curves['val_accuracy'][-1]:.4f}")
"""


def intro_cells(track, heading) -> list:
    """Title, parameters, set-up and a first look at the data."""
    es, en = heading
    title = (
        f"# {es}\n*{en}*\n\n"
        "Escribe tu código en `exercises/` con el editor (a la izquierda, en el explorador de ficheros) y "
        "ejecuta aquí las celdas: *autoreload* recarga tus cambios sin reiniciar el kernel. Cada paso "
        "termina con una celda `check(...)` que pasa sus tests y **para el cuaderno** en el primer paso "
        "sin terminar, con un mensaje corto. *Run All* avanza hasta donde llegues.\n\n"
        "*Write your code in `exercises/` with the editor (file browser on the left) and run the cells "
        "here: autoreload picks up your edits without restarting the kernel. Each step ends with a "
        "`check(...)` cell that runs its tests and **stops the notebook** at the first unfinished step, "
        "with a short message. Run All goes as far as you have got.*"
    )
    cells = [
        ("title", "markdown", title),
        ("parameters", "code", _PARAMETERS, ("parameters",)),
        ("setup", "code", _SETUP),
    ]
    if track == "keras":
        cells += [
            ("dataset-intro", "markdown", "## Los datos · The data\n\nLas mismas imágenes, con etiquetas one-hot, "
             "cargadas con el cargador del curso (`input_data`).\n\n*The same images, one-hot labels, read "
             "with the course's loader.*"),
            ("dataset-load", "code", _KERAS_DATA),
        ]
    else:
        cells += [
            ("dataset-intro", "markdown", "## Los datos · The data\n\nFashion-MNIST: 70.000 imágenes de 28 × 28 "
             "en gris de 10 clases de ropa. El cargador del curso (`input_data`) las lee y comprueba su "
             "sha256; 5.000 imágenes de entrenamiento se apartan para validación.\n\n*70,000 grey 28 × 28 "
             "images of 10 kinds of clothing, read and checked by the course's loader; 5,000 training "
             "images are held out for validation.*"),
            ("dataset-look", "code", _LOOK),
        ]
    return cells


def training_cells(track) -> list:
    """The training run with its live progress bar, the curves and the final accuracy."""
    intro = (
        "## Entrenar · Train\n\n"
        "Entrena con tu código, como `kata train`, sobre `TRAIN_LIMIT` imágenes durante `EPOCHS` épocas "
        "(cámbialos en la celda de parámetros: `TRAIN_LIMIT = None` y `EPOCHS = 10` repiten el curso, "
        "unos 16 s por época en dos núcleos; exactitud en test ≈ 0,91).\n\n"
        "*Train with your code, like `kata train`, on `TRAIN_LIMIT` images for `EPOCHS` epochs (change "
        "them in the parameters cell: `TRAIN_LIMIT = None` and `EPOCHS = 10` repeat the course, about "
        "16 s per epoch on two cores; test accuracy ≈ 0.91).*"
    )
    run, curves = (_KERAS_TRAIN, _KERAS_CURVES) if track == "keras" else (_TF_TRAIN, _TF_CURVES)
    outro = (
        "## ¿Y ahora? · What next?\n\n"
        + ("Sigue con `02_keras.ipynb`: la misma red en unas pocas líneas de Keras. "
           "*Go on with `02_keras.ipynb`: the same network in a few lines of Keras.*\n\n" if track != "keras" else "")
        + "En un terminal, `kata train` guarda cada ejecución en `runs/` y `kata compare` las compara. "
        "*In a terminal, `kata train` saves each run under `runs/` and `kata compare` compares them.*"
    )
    return [("training-intro", "markdown", intro), ("training-run", "code", run),
            ("training-curves", "code", curves), ("next", "markdown", outro)]
