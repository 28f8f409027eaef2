"""Step 8 · print_results: the training and test curves, as a Figure the caller keeps.

Everything is read back from the returned matplotlib Figure (the Agg backend draws off screen).
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from kata.feedback import fail  # noqa: E402
from kata.worker import OutputFile, last_call  # noqa: E402

TRAIN = [2.0, 1.2, 0.8, 0.6, 0.5]
TEST = [2.1, 1.5, 1.3, 1.35, 1.4]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
METRIC_WORDS = {"loss": ("loss", "pérdida", "perdida", "coste", "cost"),
                "accuracy": ("accuracy", "exactitud", "precisión", "precision", "acierto")}


@pytest.fixture(scope="module")
def pr(load_step):
    return load_step("print_results")


@pytest.fixture(autouse=True)
def no_show_and_no_leftovers(monkeypatch):
    """plt.show() fails the test; every figure is closed afterwards."""
    def show(*args, **kwargs):
        fail("print_results llamó a plt.show(): en un script se quedaría esperando a que cierres la ventana.",
             "print_results called plt.show(): in a script it would wait for you to close the window.",
             cause_es="devuelve la figura y deja que quien llama decida si mostrarla (en Jupyter se ve sola).",
             cause_en="return the figure and let the caller decide whether to show it (Jupyter displays it by itself).")
    monkeypatch.setattr(plt, "show", show)
    yield
    plt.close("all")


def figure_of(pr, *args, **kwargs):
    fig = pr.print_results(*args, **kwargs)
    if not isinstance(fig, Figure):
        fail(f"print_results debe devolver la Figure de matplotlib; devolvió {type(fig).__name__}.",
             f"print_results must return the matplotlib Figure; it returned {type(fig).__name__}.",
             cause_es="fig, ax = plt.subplots() al principio y `return fig` al final.",
             cause_en="fig, ax = plt.subplots() at the start and `return fig` at the end.")
    if not fig.axes:
        fail("La figura devuelta no tiene ejes: se dibujó en otra figura.",
             "The returned figure has no axes: the curves were drawn on another figure.",
             cause_es="dibuja en los ejes de la figura que devuelves (ax.plot), no en la figura actual de plt.",
             cause_en="draw on the axes of the figure you return (ax.plot), not on plt's current figure.")
    return fig


TRAIN_WORDS = ("train", "entren")
TEST_WORDS = ("test", "prueba", "val")     # here the test set is the validation data (step 10)


def legend_entries(ax) -> list:
    """[(text, Line2D)] of the legend: each entry's text with the line it stands for. Labels may be
    given to the lines (label=…, then legend()) or to the legend itself (legend(["train", "test"]));
    matplotlib draws each entry's handle as a copy of its line, so the copy is matched to the line
    by its look (colour, style, marker), in order."""
    legend = ax.get_legend()
    if legend is None:
        return []
    lines, entries = list(ax.get_lines()), []
    for text, handle in zip(legend.get_texts(), legend.legend_handles):
        look = (getattr(handle, "get_color", lambda: None)(), getattr(handle, "get_linestyle", lambda: None)(),
                getattr(handle, "get_marker", lambda: None)())
        match = next((line for line in lines if (line.get_color(), line.get_linestyle(), line.get_marker()) == look),
                     None)
        if match is not None:
            lines.remove(match)
            entries.append((text.get_text(), match))
    return entries


def curves_by_role(fig):
    """{'train': Line2D, 'test': Line2D} found through the legend's entries."""
    ax = fig.axes[0]
    if len(ax.get_lines()) < 2:
        fail(f"La figura tiene {len(ax.get_lines())} línea(s); se esperaban dos: entrenamiento y test.",
             f"The figure has {len(ax.get_lines())} line(s); two were expected: training and test.",
             cause_es="llama a ax.plot dos veces, una con los valores de entrenamiento y otra con los de test.",
             cause_en="call ax.plot twice, once with the training values and once with the test values.")
    entries = legend_entries(ax)
    roles = {}
    for text, line in entries:
        label = text.lower()
        if any(word in label for word in TRAIN_WORDS):
            roles.setdefault("train", line)
        elif any(word in label for word in TEST_WORDS):
            roles.setdefault("test", line)
    if set(roles) != {"train", "test"}:
        texts = [text for text, _ in entries]
        no_legend = ax.get_legend() is None
        fail(f"Se esperaba una leyenda con una línea de entrenamiento (train/entrenamiento) y otra de test; "
             + ("no hay leyenda." if no_legend else f"la leyenda dice {texts}."),
             f"Expected a legend with a training line (train/entrenamiento) and a test line; "
             + ("there is no legend." if no_legend else f"the legend says {texts}."),
             cause_es=("llama a ax.legend() tras dar label='train …' y label='test …' a cada ax.plot "
                       "(o ax.legend(['train', 'test']))." if no_legend else
                       "que el texto de cada línea diga cuál es: 'train'/'entrenamiento' y 'test'/'validación'."),
             cause_en=("call ax.legend() after giving label='train …' and label='test …' to each ax.plot "
                       "(or ax.legend(['train', 'test']))." if no_legend else
                       "let each line's text say which it is: 'train'/'training' and 'test'/'validation'."))
    return roles


def test_print_results_returns_a_figure(pr):
    figure_of(pr, TRAIN, TEST)


def test_the_figure_shows_the_training_and_the_test_values(pr):
    roles = curves_by_role(figure_of(pr, TRAIN, TEST))
    for role, values in (("train", TRAIN), ("test", TEST)):
        y = np.asarray(roles[role].get_ydata(), dtype=float)
        if y.shape != (len(values),) or not np.allclose(y, values):
            swapped = y.shape == (len(values),) and np.allclose(y, TEST if role == "train" else TRAIN)
            fail(f"La línea '{roles[role].get_label()}' debe mostrar {values}; muestra {y.tolist()}.",
                 f"The line '{roles[role].get_label()}' must show {values}; it shows {y.tolist()}.",
                 cause_es=("las curvas están cambiadas: la etiqueta de entrenamiento va con train_values."
                           if swapped else "dibuja cada lista tal cual, un punto por época."),
                 cause_en=("the curves are swapped: the training label goes with train_values."
                           if swapped else "draw each list as it is, one point per epoch."))


ROLE_ES = {"train": "de entrenamiento", "test": "de test"}
ROLE_EN = {"train": "training", "test": "test"}


def test_the_x_axis_counts_the_epochs_from_1(pr):
    roles = curves_by_role(figure_of(pr, TRAIN, TEST))
    n = len(TRAIN)
    for role, line in roles.items():
        x = np.asarray(line.get_xdata(), dtype=float)
        if not np.array_equal(x, np.arange(1, n + 1)):
            from_zero = np.array_equal(x, np.arange(n))
            fail(f"El eje x debe contar las épocas desde 1 (1…{n}); la línea {ROLE_ES[role]} usa {x.tolist()}.",
                 f"The x axis must count the epochs from 1 (1…{n}); the {ROLE_EN[role]} line uses {x.tolist()}.",
                 cause_es=("range(len(valores)) empieza en 0: la primera época es la 1, como la cuenta kata train; "
                           "ax.plot(range(1, len(valores) + 1), valores, ...)." if from_zero else
                           "ax.plot(range(1, len(valores) + 1), valores, ...)."),
                 cause_en=("range(len(values)) starts at 0: the first epoch is 1, as kata train counts it; "
                           "ax.plot(range(1, len(values) + 1), values, ...)." if from_zero else
                           "ax.plot(range(1, len(values) + 1), values, ...)."))


def test_a_single_epoch_still_shows_a_point_on_each_curve(pr):
    """`kata train --epochs 1` draws curves of one value: a line with no marker shows nothing."""
    for role, line in curves_by_role(figure_of(pr, [0.5], [0.6])).items():
        if line.get_marker() in (None, "", " ", "None", "none"):
            fail(f"Con una sola época (kata train --epochs 1) la línea {ROLE_ES[role]} no muestra nada: "
                 f"una línea sin marcador necesita dos puntos.",
                 f"With a single epoch (kata train --epochs 1) the {ROLE_EN[role]} line shows nothing: "
                 f"a line without markers needs two points.",
                 cause_es="marca cada punto: ax.plot(épocas, valores, marker='o', ...) o un formato como 'b-o'.",
                 cause_en="mark every point: ax.plot(epochs, values, marker='o', ...) or a format such as 'b-o'.")


@pytest.mark.parametrize("metric", ["loss", "accuracy"])
def test_title_and_axis_labels_name_the_epoch_and_the_metric(pr, metric):
    ax = figure_of(pr, TRAIN, TEST, metric=metric).axes[0]
    if not ax.get_title().strip() and not ax.figure.get_suptitle().strip():
        fail("La figura no tiene título.", "The figure has no title.",
             cause_es="ax.set_title('Entrenamiento y test: ...').", cause_en="ax.set_title('Training and test: ...').")
    if not ax.get_xlabel().strip():
        fail("El eje x no tiene nombre.", "The x axis has no label.",
             cause_es="ax.set_xlabel('época').", cause_en="ax.set_xlabel('epoch').")
    ylabel = ax.get_ylabel().lower()
    if not any(word in ylabel for word in METRIC_WORDS[metric]):
        fail(f"Con metric={metric!r} el eje y debe nombrar esa métrica; dice {ax.get_ylabel()!r}.",
             f"With metric={metric!r} the y axis must name that metric; it says {ax.get_ylabel()!r}.",
             cause_es="ax.set_ylabel(metric): la misma función dibuja la pérdida y la exactitud.",
             cause_en="ax.set_ylabel(metric): the same function draws the loss and the accuracy.")


def test_a_path_saves_the_figure_as_a_png(pr, tmp_path):
    path = tmp_path / "curves.png"
    figure_of(pr, TRAIN, TEST, path=OutputFile(path))
    if not path.is_file():
        fail(f"Con path={path.name} no se escribió ningún fichero.", f"With path={path.name} no file was written.",
             cause_es="if path is not None: fig.savefig(path).", cause_en="if path is not None: fig.savefig(path).")
    data = path.read_bytes()
    if not data.startswith(PNG_SIGNATURE) or len(data) < 2000:
        fail(f"{path.name} no es una imagen PNG con contenido ({len(data)} bytes).",
             f"{path.name} is not a PNG image with content ({len(data)} bytes).",
             cause_es="guarda la figura ya dibujada con fig.savefig(path) (el formato sale de la extensión .png).",
             cause_en="save the finished figure with fig.savefig(path) (the format comes from the .png extension).")


def test_no_file_is_written_without_a_path(pr):
    figure_of(pr, TRAIN, TEST)
    written = last_call().written
    if written:
        fail(f"Sin path, print_results escribió {written} en la carpeta de trabajo.",
             f"Without a path print_results wrote {written} in the working folder.",
             cause_es="guarda la figura solo si te dan path: if path is not None: fig.savefig(path).",
             cause_en="save the figure only when given a path: if path is not None: fig.savefig(path).")


def test_an_unrelated_current_figure_is_left_alone(pr):
    other = plt.figure()
    other.add_subplot().plot([0, 1], [1, 0])
    fig = figure_of(pr, TRAIN, TEST)
    if fig is other or len(other.axes) != 1 or len(other.axes[0].get_lines()) != 1:
        fail("print_results dibujó sobre una figura que ya estaba abierta en vez de crear la suya.",
             "print_results drew on a figure that was already open instead of making its own.",
             cause_es="empieza con fig, ax = plt.subplots() (o plt.figure()) y dibuja solo en esa figura.",
             cause_en="start with fig, ax = plt.subplots() (or plt.figure()) and draw on that figure only.")
