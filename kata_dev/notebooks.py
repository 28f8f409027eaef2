"""The student notebooks, generated from the manifest by `kata dev build`.

`notebook_files(root)` writes one notebook per track of the manifest (`notebooks/<notebook>.ipynb`):
a parameters cell, a set-up cell, then for every step its lesson (`kata/lessons/<step>.md`), where
to edit, a check cell and, when the lesson has one, a cell that tries the result; last, a training
run with a live progress bar and its curves. The JSON is deterministic (stable cell ids, no
outputs), so a test catches a committed notebook that drifted from the manifest.

The cells call the helpers of `kata.notebook_helpers` inside the kernel.
"""

from pathlib import Path

from kata import manifest

NBFORMAT_MINOR = 5


# --- generation -----------------------------------------------------------------------------

def notebook_files(root) -> dict:
    """{relative path: notebook JSON text} for every track that has steps."""
    root = Path(root)
    files = {}
    for track in manifest.tracks(root):
        steps = manifest.steps(root, track=track.id)
        if steps:
            files[f"notebooks/{track.notebook}.ipynb"] = notebook_json(_notebook(track, steps, root))
    return files


def _notebook(track, steps, root) -> list:
    cells = list(intro_cells(track))
    for step in steps:
        cells.extend(_step_cells(step, root))
    tracks = manifest.tracks(root)
    following = next((t for t in tracks[tracks.index(track) + 1:]), None)
    cells.extend(training_cells(track, following))
    ids = [spec[0] for spec in cells]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:  # nbformat would silently replace them with random ids: the JSON would drift
        raise ValueError(f"notebook {track.notebook!r}: repeated cell ids {repeated}; rename a step or a cell")
    return [_cell(*spec) for spec in cells]


def _step_cells(step, root) -> list:
    """(id, kind, source[, tags]) specs for one step's section."""
    lesson = manifest.lesson(step, root)
    es, en = lesson.text("es"), lesson.text("en")
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
    if lesson.try_code:
        cells.append((f"step-{step.id}-try", "code", lesson.try_code))
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
from kata.notebook_helpers import ProgressBar, check, limit, setup, show, where

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


def intro_cells(track) -> list:
    """Title, parameters, set-up and a first look at the data."""
    es, en = track.title("es"), track.title("en")
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
    if track.id == "keras":
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


def training_cells(track, following=None) -> list:
    """The training run with its live progress bar, the curves and the final accuracy; then a
    pointer to the `following` track's notebook, if any."""
    intro = (
        "## Entrenar · Train\n\n"
        "Entrena con tu código, como `kata train`, sobre `TRAIN_LIMIT` imágenes durante `EPOCHS` épocas "
        "(cámbialos en la celda de parámetros: `TRAIN_LIMIT = None` y `EPOCHS = 10` repiten el curso, "
        "unos 16 s por época en dos núcleos; exactitud en test ≈ 0,91).\n\n"
        "*Train with your code, like `kata train`, on `TRAIN_LIMIT` images for `EPOCHS` epochs (change "
        "them in the parameters cell: `TRAIN_LIMIT = None` and `EPOCHS = 10` repeat the course, about "
        "16 s per epoch on two cores; test accuracy ≈ 0.91).*"
    )
    run, curves = (_KERAS_TRAIN, _KERAS_CURVES) if track.id == "keras" else (_TF_TRAIN, _TF_CURVES)
    outro = (
        "## ¿Y ahora? · What next?\n\n"
        + (f"Sigue con `{following.notebook}.ipynb`: {following.title('es')}. "
           f"*Go on with `{following.notebook}.ipynb`: {following.title('en')}.*\n\n" if following else "")
        + "En un terminal, `kata train` guarda cada ejecución en `runs/` y `kata compare` las compara. "
        "*In a terminal, `kata train` saves each run under `runs/` and `kata compare` compares them.*"
    )
    return [("training-intro", "markdown", intro), ("training-run", "code", run),
            ("training-curves", "code", curves), ("next", "markdown", outro)]
