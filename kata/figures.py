"""The pictures of a run: curves (drawn by the learner's `print_results`), sample predictions
(drawn with the learner's `plot_image`), the confusion matrix, and TensorBoard scalars.

Every PNG is saved under a temporary name in the run folder and renamed, so a run interrupted
mid-save never leaves half a picture. Titles and labels are in the learner's language, and so are
the numbers: Spanish figures write 0,8990 where English ones write 0.8990, as the terminal does.
"""

import sys
from pathlib import Path

import numpy as np

from kata.files import atomic_path
from kata.i18n import decimal, language, t


def pyplot():
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")  # files only: never open a window from the command line
    import matplotlib.pyplot as plt

    return plt


def curves(print_results, history: dict, out: Path) -> list:
    """loss.png and accuracy.png, each drawn by the implementation's `print_results`.

    history: {"train_loss": [...], "test_loss": [...], "train_accuracy": [...], ...}.
    Returns the paths written.
    """
    plt = pyplot()
    written = []
    for metric in ("loss", "accuracy"):
        path = Path(out) / f"{metric}.png"
        with atomic_path(path) as tmp:
            tmp.unlink()
            fig = print_results(history[f"train_{metric}"], history[f"test_{metric}"], metric=metric, path=str(tmp))
            fig = fig if hasattr(fig, "savefig") else plt.gcf()
            if language() == "es":
                decimal_commas(fig)
                if tmp.exists() and tmp.stat().st_size:   # saved by print_results before the commas
                    tmp.unlink()
            if not tmp.exists() or tmp.stat().st_size == 0:  # an implementation that ignores `path`
                fig.savefig(tmp, dpi=100)
            plt.close(fig)
        written.append(path)
    return written


def decimal_commas(fig) -> None:
    """Every axis of `fig` writes its tick numbers with a decimal comma (0,85 for 0.85), whatever
    formatter it had: that formatter still chooses the ticks and their digits."""
    from matplotlib.ticker import Formatter

    class Comma(Formatter):
        def __init__(self, inner):
            self.inner = inner

        def __call__(self, value, pos=None):
            return self.inner(value, pos).replace(".", ",")

        def format_ticks(self, values):
            return [label.replace(".", ",") for label in self.inner.format_ticks(values)]

        def set_locs(self, locs):
            self.inner.set_locs(locs)

        def get_offset(self):
            return self.inner.get_offset().replace(".", ",")

        def set_axis(self, axis):
            super().set_axis(axis)
            self.inner.set_axis(axis)

    for axes in fig.axes:
        for axis in (axes.xaxis, axes.yaxis):
            if type(axis.get_major_formatter()).__name__ != "Comma":
                axis.set_major_formatter(Comma(axis.get_major_formatter()))


def samples(plot_image, images, true, predicted, labels, out: Path, rows=4, cols=6) -> Path:
    """samples.png: the first rows × cols images, drawn with `plot_image`, titled predicted vs true.

    images: (N, 784) floats; true, predicted: (N,) class numbers; labels: {number: name}.
    Mistakes get a red title and a red frame.
    """
    plt = pyplot()
    fig = plt.figure(figsize=(cols * 2.0, rows * 2.3))
    count = min(rows * cols, len(images))
    for i in range(count):
        plt.figure(fig.number)  # plot_image may draw with plt.subplot on the current figure
        axes = plot_image(plt, images[i], int(true[i]), (28, 28), (rows, cols, i + 1)) or plt.gca()
        wrong = int(predicted[i]) != int(true[i])
        colour = "red" if wrong else "black"
        axes.set_title(f"{labels[int(predicted[i])]}\n({labels[int(true[i])]})", color=colour, fontsize=9)
        for spine in axes.spines.values():
            spine.set_visible(wrong)
            spine.set_color("red")
            spine.set_linewidth(2)
    hits = int(np.sum(np.asarray(predicted[:count]) == np.asarray(true[:count])))
    fig.suptitle(t(f"predicción (verdad): {hits} de {count} aciertos", f"predicted (true): {hits} of {count} right"))
    return _save(plt, fig, Path(out) / "samples.png")


def _save(plt, fig, path: Path) -> Path:
    """Lay out, save under a temporary name, rename onto `path`, and free the figure."""
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=80)
    plt.close(fig)
    return path


def confusion_matrix(true, predicted, n_classes=10) -> np.ndarray:
    """(n_classes, n_classes) int64 counts: row = true class, column = predicted class."""
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(true, dtype=np.int64), np.asarray(predicted, dtype=np.int64)), 1)
    return matrix


def confusion(true, predicted, labels, out: Path) -> Path:
    """confusion.png: the test set's confusion matrix, counts written in every cell."""
    plt = pyplot()
    names = [labels[i] for i in range(len(labels))]
    matrix = confusion_matrix(true, predicted, len(names))
    fig, axes = plt.subplots(figsize=(8.5, 7.5))
    image = axes.imshow(matrix, cmap="Blues")
    fig.colorbar(image, ax=axes, fraction=0.046)
    threshold = matrix.max() / 2 if matrix.size else 0
    for (row, col), count in np.ndenumerate(matrix):
        axes.text(col, row, str(count), ha="center", va="center", fontsize=8,
                  color="white" if count > threshold else "black")
    axes.set_xticks(range(len(names)), names, rotation=45, ha="right")
    axes.set_yticks(range(len(names)), names)
    axes.set_xlabel(t("predicción", "predicted"))
    axes.set_ylabel(t("verdad", "true"))
    accuracy = decimal(np.trace(matrix) / max(matrix.sum(), 1), 4)
    axes.set_title(t(f"Matriz de confusión (exactitud en test {accuracy})", f"Confusion matrix (test accuracy {accuracy})"))
    return _save(plt, fig, Path(out) / "confusion.png")


class TensorBoard:
    """Per-epoch scalars in out/tensorboard/train and out/tensorboard/test (overlaid by TensorBoard).

    Written with TensorFlow's own `tf.summary.write` and the scalars plugin's metadata, so the
    `tensorboard` package is needed only to look at them, not to write them.
    """

    def __init__(self, out: Path):
        import tensorflow as tf
        from tensorflow.core.framework import summary_pb2

        self._tf = tf
        self._metadata = summary_pb2.SummaryMetadata(
            plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars"))
        folder = Path(out) / "tensorboard"
        self._writers = {part: tf.summary.create_file_writer(str(folder / part)) for part in ("train", "test")}

    def _scalar(self, tag, value, step):
        self._tf.summary.write(tag, self._tf.constant(float(value), self._tf.float32), step=step,
                               metadata=self._metadata)

    def epoch(self, epoch: int, values: dict, seconds: float) -> None:
        """Write one epoch (1-based) of {"train_loss", "test_loss", "train_accuracy", "test_accuracy"}."""
        for part, writer in self._writers.items():
            with writer.as_default():
                self._scalar("loss", values[f"{part}_loss"], epoch)
                self._scalar("accuracy", values[f"{part}_accuracy"], epoch)
                if part == "train":
                    self._scalar("epoch_seconds", seconds, epoch)
            writer.flush()

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
