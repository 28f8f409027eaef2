"""The student notebooks: generated from the manifest by `kata build`, plus the helpers their cells call.

`notebook_files(root)` writes one notebook per track (`notebooks/01_tensorflow.ipynb`,
`notebooks/02_keras.ipynb`): a parameters cell, a set-up cell, then for every step an
explanation, where to edit, a check cell and, for some steps, a cell that tries the result; last,
a training run with a live progress bar and its curves. The JSON is deterministic (stable cell
ids, no outputs), so a test catches a committed notebook that drifted from the manifest.

The helpers (`setup`, `where`, `check`, `limit`, `ProgressBar`, `show`) run inside the kernel.
`check` stops "Run all" at the first unfinished step with the digest alone, no traceback wall.
"""

import contextlib
import io
import os
import sys
from pathlib import Path

from kata import manifest
from kata.i18n import t

NBFORMAT_MINOR = 5


# --- generation -----------------------------------------------------------------------------

def notebook_files(root) -> dict:
    """{relative path: notebook JSON text} for every track that has steps."""
    root = Path(root)
    files = {}
    for track, (name, heading) in TRACKS.items():
        steps = manifest.steps(root, track=track)
        if steps:
            files[f"notebooks/{name}.ipynb"] = _dumps(_notebook(track, heading, steps))
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
    return {
        "cells": [_cell(*spec) for spec in cells],
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": NBFORMAT_MINOR,
    }


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


def _dumps(nb) -> str:
    """Validated JSON in nbformat's own layout (what JupyterLab writes back), one trailing newline."""
    import nbformat

    node = nbformat.from_dict(nb)
    nbformat.validate(node)
    return nbformat.writes(node, version=4) + "\n"


# --- helpers used inside the notebooks ------------------------------------------------------

_IMPL = {"name": "exercises"}


class StepNotDone(Exception):
    """A step's check failed. IPython shows `_render_traceback_` instead of a traceback."""

    def _render_traceback_(self):
        return [str(self), t("(el cuaderno se para aquí: arregla el paso y vuelve a ejecutar esta celda)",
                             "(the notebook stops here: fix the step and run this cell again)")]


def setup(impl="exercises") -> Path:
    """Work from the kata root and import the step modules of `impl` by their plain names.

    Returns the root. Re-running it with another `impl` swaps the folder on `sys.path`.
    """
    from kata.impl import resolve
    from kata.paths import find_root

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    root = find_root()
    folder = str(resolve(impl, root))
    known = {str(resolve(name, root)) for name in ("exercises", "solutions")} | {folder}
    sys.path[:] = [folder] + [p for p in sys.path if p not in known]
    for name in [s.module for s in manifest.steps(root)]:
        loaded = sys.modules.get(name)
        if loaded is not None and str(Path(getattr(loaded, "__file__", "") or "").parent) != folder:
            del sys.modules[name]  # imported from another folder: import it again from this one
    os.chdir(root)
    _IMPL["name"] = impl
    print(t(f"Carpeta de la kata: {root}\nTu código se importa de: {folder}",
            f"Kata folder: {root}\nYour code is imported from: {folder}"))
    return root


def where(step_id: str) -> None:
    """Show the file to edit and, per function, its line and whether it is still a stub."""
    import ast

    from IPython.display import display

    from kata.impl import resolve

    step = manifest.get(step_id)
    path = resolve(_IMPL["name"]) / step.filename
    lines = [t(f"Edita · Edit: {path}", f"Edit · Edita: {path}")]
    if path.is_file():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in step.functions:
                todo = any(isinstance(n, ast.Raise) and "NotImplementedError" in ast.unparse(n)
                           for n in node.body)
                state = t("por hacer · to do", "to do · por hacer") if todo else t("escrita · written", "written · escrita")
                lines.append(f"  {path.name}:{node.lineno}  def {node.name}({ast.unparse(node.args)})  [{state}]")
    else:
        lines.append(t("  (el fichero no existe: `kata reset {0}` lo crea)".format(step.id),
                       "  (the file is missing: `kata reset {0}` creates it)".format(step.id)))
    link = f"[{path.name}](../{path.relative_to(path.parents[1]).as_posix()})"
    display({"text/plain": "\n".join(lines), "text/markdown": "\n\n".join([link, *(f"`{x.strip()}`" for x in lines[1:])])},
            raw=True)


def check(step_id: str) -> bool:
    """`kata.check(step_id)` on the notebook's implementation; raises StepNotDone when it fails."""
    import kata

    digest = io.StringIO()
    with contextlib.redirect_stdout(digest):
        ok = kata.check(step_id, impl=_IMPL["name"])
    text = digest.getvalue().strip()
    if not ok:
        raise StepNotDone(text)
    print(text)
    return True


def limit(data, train=None, test=None):
    """(train_X, train_y, test_X, test_y) cut to the first `train` and `test` images (None: all)."""
    train_X, train_y, test_X, test_y = data
    return train_X[:train], train_y[:train], test_X[:test], test_y[:test]


def show(fig):
    """Draw a matplotlib figure in the notebook once (and free it)."""
    import matplotlib.pyplot as plt
    from IPython.display import display

    display(fig)
    plt.close(fig)


class ProgressBar:
    """A live progress bar for `train(..., on_batch=, on_epoch=)` and for Keras's `fit`.

    It redraws one output in place, every `1/steps` of an epoch, so a long run stays one line.
    """

    STEPS = 40

    def __init__(self, epochs: int):
        from IPython.display import display

        self.epochs = epochs
        self.done = 0.0
        self.text = t("esperando el primer lote…", "waiting for the first batch…")
        self.handle = display(self._bundle(), raw=True, display_id=True)

    def on_batch(self, epoch, batch, n_batches, loss, accuracy):
        """train's `on_batch(epoch, batch, n_batches, loss, accuracy)`."""
        every = max(1, n_batches // self.STEPS)
        if (batch + 1) % every == 0 or batch + 1 == n_batches:
            self.done = epoch + (batch + 1) / n_batches
            self.text = f"loss {loss:.4f} · accuracy {accuracy:.4f}"
            self._draw()

    def on_epoch(self, epoch, metrics):
        """train's `on_epoch(epoch, metrics)`: metrics holds the four per-epoch values."""
        self.done = epoch + 1
        self.text = " · ".join(f"{k} {v:.4f}" for k, v in metrics.items())
        self._draw()

    def keras_callback(self):
        """The same bar as a `keras.callbacks.Callback` for `model.fit(callbacks=[...])`."""
        import keras

        bar = self

        class _Bar(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.epoch = epoch

            def on_train_batch_end(self, batch, logs=None):
                logs = logs or {}
                bar.on_batch(self.epoch, batch, self.params.get("steps") or batch + 1,
                             logs.get("loss", float("nan")), logs.get("accuracy", float("nan")))

            def on_epoch_end(self, epoch, logs=None):
                bar.on_epoch(epoch, dict(logs or {}))

        return _Bar()

    def _bundle(self) -> dict:
        fraction = min(1.0, self.done / max(1, self.epochs))
        filled = round(fraction * 30)
        epoch = min(self.epochs, int(self.done) + 1)
        label = f"{t('época', 'epoch')} {epoch}/{self.epochs} {fraction:4.0%}"
        plain = f"{label} |{'█' * filled}{'·' * (30 - filled)}| {self.text}"
        html = (f'<div style="font-family:monospace"><progress value="{fraction:.4f}" max="1" '
                f'style="width:22em"></progress> {label} · {self.text}</div>')
        return {"text/plain": plain, "text/html": html}

    def _draw(self):
        self.handle.update(self._bundle(), raw=True)


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
from kata.notebooks import ProgressBar, check, limit, setup, show, where

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
