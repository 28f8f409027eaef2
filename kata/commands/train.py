"""`kata train` (the main job), `kata compare RUN...` and `kata bench` (speed against keras.Model.fit)."""

import argparse
import sys
from pathlib import Path

from kata.i18n import t


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number ≥ 1")
    return value


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a number > 0")
    return value


def _rate(text):
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: dropout is a rate in [0, 1) (the fraction dropped)")
    return value


def register(sub):
    p = sub.add_parser("train", help="train the network of an implementation on Fashion-MNIST · entrena tu red")
    p.add_argument("--track", choices=("tensorflow", "keras"), default="tensorflow",
                   help="tensorflow: your train() of step 7; keras: steps 9-10 (default tensorflow)")
    p.add_argument("--impl", default="exercises", help="exercises (default), solutions, or a folder of step modules")
    p.add_argument("--epochs", type=_positive_int, default=10, help="epochs (default 10)")
    p.add_argument("--learning-rate", type=_positive_float, default=0.001, help="Adam's step size (default 0.001)")
    p.add_argument("--batch-size", type=_positive_int, default=128, help="images per step (default 128)")
    p.add_argument("--dropout", type=_rate, default=None, help="dropout rate before the output layer (default none)")
    p.add_argument("--seed", type=int, default=None, help="repeatable weights, shuffling and dropout")
    p.add_argument("--out", type=Path, default=None, help="run folder (default runs/<timestamp>-<track>/)")
    p.add_argument("--limit", type=_positive_int, default=None, help="train on the first N training images only")
    p.add_argument("--data-dir", default="data/fashion", help="where load_data looks first (default data/fashion)")
    p.set_defaults(func=run_train)

    c = sub.add_parser("compare", help="compare training runs side by side · compara entrenamientos")
    c.add_argument("runs", nargs="+", metavar="RUN", help="run folders written by kata train")
    c.set_defaults(func=run_compare)

    b = sub.add_parser("bench", help="seconds per epoch of the tensorflow track against keras.Model.fit, and memory")
    bench = _bench_module()
    if bench is not None:
        bench.add_options(b)
    b.set_defaults(func=run_bench)


def _error(message) -> int:
    print(f"kata: {message}", file=sys.stderr)
    return 2


def run_train(args) -> int:
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from kata import training

    opts = training.Options(track=args.track, impl=args.impl, epochs=args.epochs, learning_rate=args.learning_rate,
                            batch_size=args.batch_size, dropout=args.dropout, seed=args.seed, out=args.out,
                            limit=args.limit, data_dir=args.data_dir)
    try:
        result = training.run(opts)
    except training.TrainingError as err:
        return _error(err)
    return 130 if result.status == "interrupted" else 0


def run_compare(args) -> int:
    from rich.console import Console
    from rich.table import Table

    from kata import runs

    try:
        rows = [(folder, runs.summary(runs.load(folder))) for folder in args.runs]
    except runs.RunError as err:
        return _error(err)
    table = Table(title=t("Entrenamientos", "Training runs"))
    for header in ("run", "track", "impl", t("épocas", "epochs"), "test acc",
                   t("s/época*", "s/epoch*"), t("mejor época", "best epoch"), "status"):
        table.add_column(header, overflow="fold")
    for folder, row in rows:
        best = row["best_epoch"]
        table.add_row(str(folder), row["track"], row["impl"], row["epochs"], f"{row['test_accuracy']:.4f}",
                      f"{row['seconds_per_epoch']:.1f}", "-" if best is None else f"{best[0]} ({best[1]:.4f})",
                      row["status"])
    console = Console(width=max(Console().width, 120))
    console.print(table)
    console.print(t("* media sin la primera época (incluye el trazado de los grafos) cuando hay más de una",
                    "* mean leaving out the first epoch (it includes tracing the graphs) when there are more"))
    return 0


def _bench_path() -> Path:
    from kata.paths import find_root

    return find_root() / "bench" / "speed.py"


def _bench_module():
    """bench/speed.py as a module (it imports only the standard library at the top), or None."""
    import importlib.util

    path = _bench_path()
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("kata_bench_speed", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_bench(args) -> int:
    bench = _bench_module()
    if bench is None:
        return _error(f"{_bench_path()} is missing: the benchmark ships with the kata's repository, "
                      f"not with the student release")
    return int(bench.main(args=args) or 0)
