"""A training run on disk: its folder, its `metrics.json`, and `kata compare`'s table.

`metrics.json` is rewritten (atomically) after every epoch, so an interrupted run keeps what it
finished. Layout:

    {"format": 1, "status": "running" | "finished" | "interrupted" | "failed",
     "track": "tensorflow" | "keras", "impl": "solutions", "impl_dir": "/abs/solutions",
     "hyperparameters": {"epochs", "learning_rate", "batch_size", "dropout", "seed", "limit"},
     "data": {"dir": the --data-dir asked, "source": the folder the files came from,
              "found_in": "data_dir" | "FASHION_MNIST_DIR" | "debian" | "downloaded",
              "train_images", "test_images"},
     "precision": {"requested": "auto" | ..., "compute": "float32" | "bfloat16" | "float16",
                   "variables": "float32", "device", "reason", "warning", "notes": [...]},
     "versions": {"python", "tensorflow", "keras", "numpy"},
     "history": {"train_loss": [...], "test_loss": [...], "train_accuracy": [...],
                 "test_accuracy": [...], "epoch_seconds": [...]},   # one value per finished epoch
     "completed_epochs": n, "test_accuracy": last test accuracy or null,
     "started": ISO time, "updated": ISO time}
"""

import json
import math
import platform
import time
from pathlib import Path

from kata.files import write_atomic
from kata.i18n import t

FORMAT = 1
METRICS = "metrics.json"
CURVES = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")


class RunError(Exception):
    """A run folder cannot be created or read; the message names it and the fix."""


def default_out(track: str, now=None) -> Path:
    """runs/<YYYYmmdd-HHMMSS>-<track>, relative to the working directory."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    return Path("runs") / f"{stamp}-{track}"


def check_out(out) -> Path:
    """Refuse a run folder that cannot be created or already holds a run (creates nothing)."""
    out = Path(out)
    blocker = next((p for p in (out, *out.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise RunError(t(
            f"--out {out}: no se puede crear la carpeta porque {blocker} es un fichero; elige otra ruta",
            f"--out {out}: cannot create the folder because {blocker} is a file; choose another path"))
    if (out / METRICS).exists():
        raise RunError(t(
            f"--out {out}: ya contiene un entrenamiento ({METRICS}); elige otra carpeta o bórrala",
            f"--out {out}: it already holds a run ({METRICS}); choose another folder or delete it"))
    return out


def prepare_out(out) -> Path:
    """Create the run folder (and its parents) after `check_out`'s checks."""
    out = check_out(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise RunError(t(f"--out {out}: no se puede crear la carpeta ({err.strerror}); elige otra ruta",
                         f"--out {out}: cannot create the folder ({err.strerror}); choose another path")) from None
    return out


def versions() -> dict:
    """Python, TensorFlow, Keras and NumPy versions (imports them: call once TF is loaded)."""
    import keras
    import numpy
    import tensorflow

    return {"python": platform.python_version(), "tensorflow": tensorflow.__version__,
            "keras": keras.__version__, "numpy": numpy.__version__}


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def new_metrics(track, impl, impl_dir, hyperparameters, data, precision=None) -> dict:
    """The metrics document of a run that has not finished an epoch yet (precision: a
    kata.precision.Precision.record(), float32 when None)."""
    return {"format": FORMAT, "status": "running", "track": track, "impl": str(impl),
            "impl_dir": str(impl_dir), "hyperparameters": dict(hyperparameters), "data": dict(data),
            "precision": dict(precision or {"requested": "float32", "compute": "float32", "variables": "float32"}),
            "versions": versions(), "history": {k: [] for k in (*CURVES, "epoch_seconds")},
            "completed_epochs": 0, "test_accuracy": None, "started": _now(), "updated": _now()}


def add_epoch(metrics: dict, values: dict, seconds: float) -> None:
    """Append one epoch's four values (a dict keyed by CURVES) and its duration in seconds."""
    for key in CURVES:
        metrics["history"][key].append(float(values[key]))
    metrics["history"]["epoch_seconds"].append(round(float(seconds), 3))
    metrics["completed_epochs"] = len(metrics["history"]["test_accuracy"])
    metrics["test_accuracy"] = metrics["history"]["test_accuracy"][-1]


def save(out: Path, metrics: dict) -> None:
    """Write out/metrics.json atomically."""
    metrics["updated"] = _now()
    write_atomic(Path(out) / METRICS, json.dumps(metrics, indent=2, allow_nan=True) + "\n")


def load(folder) -> dict:
    """The metrics of a run folder (or of a metrics.json path), checked enough to summarise."""
    folder = Path(folder)
    path = folder if folder.name == METRICS and folder.is_file() else folder / METRICS
    if not path.is_file():
        raise RunError(t(f"{folder}: no hay {METRICS}; ¿es una carpeta de salida de `kata train`?",
                         f"{folder}: no {METRICS} there; is it an output folder of `kata train`?"))
    try:
        metrics = json.loads(path.read_text(encoding="utf-8"))
        history = metrics["history"]
        if not all(isinstance(history[k], list) for k in (*CURVES, "epoch_seconds")):
            raise TypeError("history values are not lists")
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise RunError(t(f"{path}: no se puede leer ({err}); vuelve a entrenar con `kata train --out`",
                         f"{path}: unreadable ({err}); train again with `kata train --out`")) from None
    return metrics


def summary(metrics: dict) -> dict:
    """One row of `kata compare`: track, impl, training images, epochs, compute type, final test
    accuracy, mean s/epoch, best epoch, status, and the settings that decide whether two runs compare.

    The mean seconds per epoch leaves out the first epoch (it includes tracing the graphs and
    loading the model) whenever there are later epochs. Runs written before the precision was
    recorded computed in float32.
    """
    history = metrics["history"]
    accs, seconds = history["test_accuracy"], history["epoch_seconds"]
    steady = seconds[1:] or seconds
    best = max(range(len(accs)), key=accs.__getitem__) if accs else None
    hyper, data = metrics.get("hyperparameters", {}), metrics.get("data", {})
    computed = metrics.get("precision", {}).get("compute", "float32")
    return {
        "track": metrics.get("track", "?"),
        "impl": metrics.get("impl", "?"),
        "train_images": data.get("train_images"),
        "epochs": f"{len(accs)}/{hyper.get('epochs', '?')}",
        "precision": computed,
        "test_accuracy": accs[-1] if accs else math.nan,
        "seconds_per_epoch": sum(steady) / len(steady) if steady else math.nan,
        "best_epoch": None if best is None else (best + 1, accs[best]),
        "status": metrics.get("status", "?"),
        "settings": {"train_images": data.get("train_images"), "test_images": data.get("test_images"),
                     "epochs": len(accs), "batch_size": hyper.get("batch_size"),
                     "learning_rate": hyper.get("learning_rate"), "dropout": hyper.get("dropout"),
                     "precision": computed, "device": metrics.get("precision", {}).get("device") or None},
    }


# What makes two runs' accuracy or seconds differ besides the code being compared.
SETTINGS = ("train_images", "test_images", "epochs", "batch_size", "learning_rate", "dropout", "precision", "device")


def differences(rows: list) -> list:
    """[(setting, [value of each row])] for every setting in SETTINGS on which the rows (from
    `summary`) disagree; a setting a row does not record (None, in older runs) is left out for it,
    except dropout, where None means none."""
    found = []
    for key in SETTINGS:
        values = [row["settings"].get(key) for row in rows]
        known = values if key == "dropout" else [v for v in values if v is not None]
        if len(set(map(str, known))) > 1:
            found.append((key, values))
    return found
