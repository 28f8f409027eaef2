"""`kata train` (the main job) and `kata compare RUN...`."""

import argparse
import sys
from pathlib import Path

from kata.commands.common import add_lang, apply_lang
from kata.i18n import t


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(t(f"{text!r}: se esperaba un número entero ≥ 1", f"{text!r}: expected a whole number ≥ 1"))
    return value


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(t(f"{text!r}: se esperaba un número > 0", f"{text!r}: expected a number > 0"))
    return value


def _rate(text):
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(t(f"{text!r}: el dropout es una tasa en [0, 1) (la fracción que se apaga)",
                                           f"{text!r}: dropout is a rate in [0, 1) (the fraction dropped)"))
    return value


def register(sub):
    from kata import manifest
    from kata.commands.check import impl_help
    from kata.precision import CHOICES

    steps = {s.id: s.number for s in manifest.steps()}
    p = sub.add_parser("train", help=t("entrena tu red con Fashion-MNIST y guarda sus curvas y su exactitud",
                                       "train your network on Fashion-MNIST and keep its curves and accuracy"))
    p.add_argument("--track", choices=[track.id for track in manifest.tracks()], default="tensorflow",
                   help=t(f"tensorflow: tu train() del paso {steps.get('train')}; keras: los pasos "
                          f"{steps.get('keras_model')} y {steps.get('keras_train')} (por defecto tensorflow)",
                          f"tensorflow: your train() of step {steps.get('train')}; keras: steps "
                          f"{steps.get('keras_model')} and {steps.get('keras_train')} (default tensorflow)"))
    p.add_argument("--impl", default="exercises", help=impl_help())
    p.add_argument("--epochs", type=_positive_int, default=10, help=t("épocas (por defecto 10)", "epochs (default 10)"))
    p.add_argument("--learning-rate", type=_positive_float, default=0.001,
                   help=t("tasa de aprendizaje de Adam (por defecto 0.001)", "Adam's learning rate (default 0.001)"))
    p.add_argument("--batch-size", type=_positive_int, default=128,
                   help=t("imágenes por lote (por defecto 128)", "images per batch (default 128)"))
    p.add_argument("--dropout", type=_rate, default=None,
                   help=t("tasa de dropout antes de la capa de salida (por defecto ninguna)",
                          "dropout rate before the output layer (default none)"))
    p.add_argument("--seed", type=int, default=None,
                   help=t("semilla: pesos, barajado y dropout repetibles", "seed: repeatable weights, shuffling and dropout"))
    p.add_argument("--out", type=Path, default=None,
                   help=t("carpeta del entrenamiento (por defecto runs/<fecha>-<track>/)",
                          "run folder (default runs/<timestamp>-<track>/)"))
    p.add_argument("--limit", type=_positive_int, default=None,
                   help=t("entrena solo con las N primeras imágenes", "train on the first N training images only"))
    p.add_argument("--data-dir", default="data/fashion",
                   help=t("dónde busca load_data primero (por defecto data/fashion)",
                          "where load_data looks first (default data/fashion)"))
    p.add_argument("--precision", choices=CHOICES, default="auto",
                   help=t("en qué tipo de número calcula la red: auto (bfloat16 donde el procesador o la GPU lo "
                          "aceleran, si no float32), float32, bfloat16 o float16; los pesos son siempre float32 "
                          "(por defecto auto)",
                          "the number type the network computes in: auto (bfloat16 where the processor or the GPU "
                          "speeds it up, else float32), float32, bfloat16 or float16; the weights are always float32 "
                          "(default auto)"))
    add_lang(p)
    p.set_defaults(func=run_train)

    c = sub.add_parser("compare", help=t("compara entrenamientos lado a lado", "compare training runs side by side"))
    c.add_argument("runs", nargs="+", metavar="RUN", help=t("carpetas escritas por kata train", "run folders written by kata train"))
    add_lang(c)
    c.set_defaults(func=run_compare)


def _error(message) -> int:
    print(f"kata: {message}", file=sys.stderr)
    return 2


def run_train(args) -> int:
    import os

    apply_lang(args)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from kata import training

    opts = training.Options(track=args.track, impl=args.impl, epochs=args.epochs, learning_rate=args.learning_rate,
                            batch_size=args.batch_size, dropout=args.dropout, seed=args.seed, out=args.out,
                            limit=args.limit, data_dir=args.data_dir, precision=args.precision)
    try:
        result = training.run(opts)
    except training.TrainingError as err:
        return _error(err)
    return 130 if result.status == "interrupted" else 0


def _status(status: str) -> str:
    """A run's status in the learner's language."""
    return {"finished": t("terminado", "finished"), "interrupted": t("interrumpido", "interrupted"),
            "failed": t("fallido", "failed"), "running": t("en curso", "running")}.get(status, status)


def _setting(key: str) -> str:
    """The name of a setting of runs.SETTINGS in the learner's language."""
    return {"train_images": t("imágenes de entrenamiento", "training images"),
            "test_images": t("imágenes de test", "test images"), "epochs": t("épocas", "epochs"),
            "batch_size": t("tamaño de lote", "batch size"), "learning_rate": t("tasa de aprendizaje", "learning rate"),
            "dropout": "dropout", "precision": t("cálculo", "compute type"), "device": t("máquina", "machine")}[key]


def _value(value) -> str:
    """A setting as the learner's language writes it: 2000, 0,001 (es) / 0.001 (en), ninguno/none."""
    from kata.i18n import number

    if value is None:
        return t("ninguno", "none")
    return number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def compare_table(rows):
    """The rich Table of `kata compare` for [(folder, runs.summary(...))], headers in the learner's language."""
    from rich.table import Table

    from kata.i18n import decimal

    table = Table(title=t("Entrenamientos", "Training runs"))
    for header in (t("carpeta", "run"), "track", "impl", t("imágenes", "images"), t("épocas", "epochs"),
                   t("cálculo", "compute"), t("exactitud en test", "test accuracy"), t("s/época*", "s/epoch*"),
                   t("mejor época", "best epoch"), t("estado", "status")):
        table.add_column(header, overflow="fold")
    for folder, row in rows:
        best = row["best_epoch"]
        table.add_row(str(folder), row["track"], row["impl"], _value(row["train_images"]) if row["train_images"] else "?",
                      row["epochs"], row["precision"], decimal(row["test_accuracy"], 4),
                      decimal(row["seconds_per_epoch"], 1), "-" if best is None else f"{best[0]} ({decimal(best[1], 4)})",
                      _status(row["status"]))
    return table


def not_comparable(rows) -> str:
    """'' when the runs share their settings, else a sentence naming each setting that differs with
    its value in each run, in the table's order."""
    from kata import runs

    found = runs.differences([row for _, row in rows])
    if not found:
        return ""
    parts = [f"{_setting(key)} ({', '.join(_value(v) if v is not None or key == 'dropout' else '?' for v in values)})"
             for key, values in found]
    return t(f"Ojo, no son comparables del todo: difieren en {'; '.join(parts)}. La exactitud depende de las imágenes "
             f"y las épocas; los segundos, del cálculo y de la máquina",
             f"Careful, these runs are not quite comparable: they differ in {'; '.join(parts)}. Accuracy depends on "
             f"the images and the epochs; seconds on the compute type and the machine")


def run_compare(args) -> int:
    apply_lang(args)
    from rich.console import Console

    from kata import runs

    try:
        rows = [(folder, runs.summary(runs.load(folder))) for folder in args.runs]
    except runs.RunError as err:
        return _error(err)
    console = Console(width=max(Console().width, 120))
    console.print(compare_table(rows))
    console.print(t("* media sin la primera época (incluye el trazado de los grafos) cuando hay más de una",
                    "* mean leaving out the first epoch (it includes tracing the graphs) when there are more"))
    warning = not_comparable(rows)
    if warning:
        console.print(warning, style="bold", highlight=False)
    return 0
