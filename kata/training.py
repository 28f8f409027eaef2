"""`kata train`: train the course network built from one implementation, on the real data.

The tensorflow track runs the learner's `train` (step 7) with their own earlier steps; the keras
track runs `build_model`, `compile_model` and `train_model` (steps 9–10). Both write the same run
folder (see `kata.runs`), so two runs compare side by side with `kata compare`.
"""

import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kata import figures, impl, manifest, precision, quiet, runs
from kata.i18n import count, decimal, number, t
from kata.stubs import stub_step

PREDICT_BATCH = 500
N_CLASSES = 10


class TrainingError(Exception):
    """Something the learner can fix (an unfinished step, missing data, a bad option); no traceback."""


@dataclass
class Options:
    track: str = "tensorflow"
    impl: str = "exercises"
    epochs: int = 10
    learning_rate: float = 0.001
    batch_size: int = 128
    dropout: float = None
    seed: int = None
    out: Path = None
    limit: int = None
    data_dir: str = "data/fashion"
    root: Path = None
    precision: str = "auto"    # one of kata.precision.CHOICES

    def hyperparameters(self) -> dict:
        return {"epochs": self.epochs, "learning_rate": self.learning_rate, "batch_size": self.batch_size,
                "dropout": self.dropout, "seed": self.seed, "limit": self.limit}


@dataclass
class Result:
    out: Path
    metrics: dict
    status: str
    figures: list = field(default_factory=list)


# --------------------------------------------------------------------------- unfinished steps

def _unfinished(step_id: str, impl_dir: Path, root) -> TrainingError:
    step = manifest.get(step_id, root)
    path = Path(impl_dir) / step.filename
    return TrainingError(t(
        f"El paso '{step.id}' ({step.title('es')}) aún no está hecho: completa {path} "
        f"(sus tests: pytest -m {step.id}). Para entrenar la red de referencia: kata train --impl solutions",
        f"Step '{step.id}' ({step.title('en')}) is not done yet: fill in {path} "
        f"(its tests: pytest -m {step.id}). To train the reference network: kata train --impl solutions"))


@contextmanager
def _step(step_id: str, impl_dir: Path, root, *, strict=False):
    """Turn a stub's NotImplementedError into TrainingError naming its step.

    strict: also turn any other exception into a TrainingError blaming `step_id` (for the quick
    checks before training, where a crash is the learner's bug, not ours).
    """
    try:
        yield
    except (KeyboardInterrupt, TrainingError):
        raise
    except Exception as err:
        stub = stub_step(err)
        if stub is not None:
            raise _unfinished(stub or step_id, impl_dir, root) from None
        if not strict:
            raise
        step = manifest.get(step_id, root)
        raise TrainingError(t(
            f"El paso '{step.id}' ({Path(impl_dir) / step.filename}) falla: {type(err).__name__}: {err}. "
            f"Sus tests muestran dónde: pytest -m {step.id}",
            f"Step '{step.id}' ({Path(impl_dir) / step.filename}) fails: {type(err).__name__}: {err}. "
            f"Its tests show where: pytest -m {step.id}")) from None


def load_steps(track: str, spec, root=None):
    """(impl_dir, {step id: module}) for a track, every module from the same implementation."""
    try:
        impl_dir = impl.resolve(spec, root)
    except impl.StepUnavailable as err:
        raise TrainingError(str(err)) from None
    modules = {}
    for step_id in manifest.track(track, root).trains_with:
        try:
            modules[step_id] = impl.load_step(step_id, impl_dir, reference_deps=False, root=root)
        except impl.StepUnavailable as err:
            step = manifest.get(step_id, root)
            raise TrainingError(f"{step.id}: {err}. " + t(
                "Para entrenar la red de referencia: kata train --impl solutions",
                "To train the reference network: kata train --impl solutions")) from None
    return impl_dir, modules


def preflight(track: str, modules: dict, impl_dir: Path, root=None) -> None:
    """Call every step the track trains with once, on tiny inputs, in course order, before minutes
    of training. Raises TrainingError naming the first unfinished or crashing step."""
    state = {"plt": figures.pyplot()}
    for step in manifest.steps(root):
        if step.id in modules:
            with _step(step.id, impl_dir, root, strict=True):
                PROBES[step.id](modules[step.id], state)


def _probe_plot_image(module, state):
    plt = state["plt"]
    fig = plt.figure()
    try:
        module.plot_image(plt, np.zeros(784, np.float32), 3, (28, 28), 111)
    finally:
        plt.close(fig)


def _probe_generate_network(module, state):
    weights, biases = module.init_parameters(n_output=N_CLASSES, seed=0)
    state["logits"] = module.generate_network(np.zeros((2, 784), np.float32), weights, biases, _layers(module))


def _probe_train(module, state):
    labels = np.eye(N_CLASSES, dtype=np.float32)[[0, 1]]
    logits = state.get("logits", np.zeros((2, N_CLASSES), np.float32))
    module.cost(logits, labels)
    module.accuracy(logits, labels)


def _probe_keras_model(module, state):
    state["model"] = module.build_model(n_output=N_CLASSES)


# One quick call per step a track trains with; `kata dev check` proves every track step has one.
PROBES = {
    "data": lambda module, state: module.one_hot(np.array([0, 9])),
    "plot_image": _probe_plot_image,
    "generate_network": _probe_generate_network,
    "train": _probe_train,
    "print_results": lambda module, state: state["plt"].close(
        module.print_results([1.0, 0.5], [1.1, 0.6], metric="loss")),
    "keras_model": _probe_keras_model,
    "keras_train": lambda module, state: module.compile_model(state["model"], 0.001),
}


def _layers(network_module):
    return tuple(getattr(network_module, "COURSE_LAYERS", (1, 1, 2, 2)))


# --------------------------------------------------------------------------- data

def load_dataset(data_module, data_dir, limit=None):
    """(train_X, train_y, test_X, test_y) from the implementation's `load_data`; the first
    `limit` training images only, when given. Shapes are checked against the course's."""
    try:
        train_X, train_y, test_X, test_y = data_module.load_data(str(data_dir))
    except Exception as err:
        if type(err).__name__ == "DataLoadError":
            raise TrainingError(str(err)) from None
        raise
    if limit is not None:
        train_X, train_y = train_X[:limit], train_y[:limit]
    arrays = {"train_X": train_X, "train_y": train_y, "test_X": test_X, "test_y": test_y}
    for name, array in arrays.items():
        expected = 784 if name.endswith("X") else N_CLASSES
        if np.ndim(array) != 2 or np.shape(array)[1] != expected:
            raise TrainingError(t(
                f"load_data devolvió {name} con forma {np.shape(array)}; se esperaba (N, {expected}). "
                f"Revisa el paso 'data' (pytest -m data)",
                f"load_data returned {name} shaped {np.shape(array)}; expected (N, {expected}). "
                f"Check the step 'data' (pytest -m data)"))
    return tuple(np.asarray(a, dtype=np.float32) for a in (train_X, train_y, test_X, test_y))


def data_source(data_dir) -> dict:
    """Where `input_data.read_data_sets(data_dir)` finds the four files, in its order:
    {"folder": absolute path, "found_in": "data_dir" | "FASHION_MNIST_DIR" | "debian" | "download"}.

    "download" means none of the folders holds them yet: they will be downloaded into data_dir.
    """
    import input_data

    names = (input_data.TRAIN_IMAGES, input_data.TRAIN_LABELS, input_data.TEST_IMAGES, input_data.TEST_LABELS)

    def holds(folder):
        return all((folder / name).is_file() for name in names)

    asked = Path(os.fspath(data_dir)).expanduser()
    debian = Path(input_data.DEBIAN_DIR)
    if holds(asked):
        same = debian.is_dir() and os.path.samefile(asked, debian)
        return {"folder": str(asked.resolve()), "found_in": "debian" if same else "data_dir"}
    env = os.environ.get(input_data.ENV_DIR)
    if env and holds(Path(env).expanduser()):
        return {"folder": str(Path(env).expanduser().resolve()), "found_in": input_data.ENV_DIR}
    if holds(debian):
        return {"folder": str(debian), "found_in": "debian"}
    return {"folder": str(asked.resolve()), "found_in": "download"}


# --------------------------------------------------------------------------- progress and records

METRIC_KEYS = ("train_loss", "train_accuracy", "test_loss", "test_accuracy")


class Reporter:
    """A rich progress bar per epoch and a summary line after it.

    The bar shows the epoch, the batches done, the epoch's running loss and accuracy, the images
    per second when there is room, and the time left (the epoch's time once done). It is laid out
    for the console's width and fits 80 columns.
    """

    MAX_LOSS = 99.9999   # the widest running loss the layout reserves room for

    def __init__(self, epochs: int, batch_size: int, console=None, n_images=None):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
        from rich.text import Text

        class Rate(ProgressColumn):
            def render(self, task):
                speed = task.finished_speed or task.speed
                return Text(f"{number(round(speed * batch_size))} img/s" if speed else "", style="progress.data.speed")

        self.console = console or Console()
        self.epochs = epochs
        metrics = t("pérdida {task.fields[loss]} · exactitud {task.fields[acc]}",
                    "loss {task.fields[loss]} · accuracy {task.fields[acc]}")
        bar, rate = self._widths(epochs, -(-n_images // batch_size) if n_images else 99999, metrics)
        columns = [TextColumn("[bold]{task.description}"), BarColumn(bar_width=bar), MofNCompleteColumn(),
                   TextColumn(metrics)] + ([Rate()] if rate else []) + \
                  [TimeRemainingColumn(compact=True, elapsed_when_finished=True)]
        self._progress = Progress(
            *columns, console=self.console, transient=False,
            disable=not (self.console.is_terminal or self.console.is_jupyter))  # logs get the summary lines only
        self._tasks, self._shown = {}, {}   # per epoch: its task, the batches its bar shows
        self._lock = threading.Lock()
        self._running = [0.0, 0.0, 0]  # sums of loss and accuracy, batches, for the tensorflow hook

    def _widths(self, epochs: int, n_batches: int, metrics: str) -> tuple:
        """(bar width, whether the images/s column fits) for this console's width, from the widest
        text each column can show."""
        description = len(self._description(epochs - 1, epochs))
        batches = 2 * len(str(n_batches)) + 1
        values = len(metrics.replace("{task.fields[loss]}", decimal(self.MAX_LOSS, 4))
                     .replace("{task.fields[acc]}", decimal(1, 4)))
        time_left = len("0:00:00")
        rate = len("999999 img/s")
        fixed = description + batches + values + time_left + 4   # and a space between each two of the five
        room = self.console.width - 1 - fixed   # one column spare: some terminals wrap a line that fills the last
        with_rate = room - (rate + 1) >= 20
        return max(10, min(40, room - (rate + 1 if with_rate else 0))), with_rate

    @staticmethod
    def _description(epoch: int, epochs: int) -> str:
        return t(f"época {epoch + 1}/{epochs}", f"epoch {epoch + 1}/{epochs}")

    def note(self, text: str) -> None:
        """A line between the bars: a change of plan the learner should know about."""
        self.console.print(text, highlight=False)

    def __enter__(self):
        self._progress.start()
        return self

    def __exit__(self, *exc):
        self._progress.stop()

    def _task(self, epoch: int, total: int):
        if epoch not in self._tasks:
            self._tasks[epoch] = self._progress.add_task(
                self._description(epoch, self.epochs), total=total, loss=decimal(0, 4), acc=decimal(0, 4))
        return self._tasks[epoch]

    def batch_means(self, epoch: int, done: int, total: int, loss: float, acc: float) -> None:
        """After `done` of `total` batches (0-based epoch), with the epoch's running means.

        Safe from several threads (Keras calls it from its own when the hook is async_safe): an
        update older than the one already shown is dropped, so the bar never goes back.
        """
        with self._lock:
            if done <= self._shown.get(epoch, 0):
                return
            self._shown[epoch] = done
            self._progress.update(self._task(epoch, total), completed=done, loss=decimal(loss, 4), acc=decimal(acc, 4))

    def on_batch(self, epoch, batch, n_batches, loss, acc) -> None:
        """The tensorflow track's hook: one batch's own loss and accuracy (0-based numbers)."""
        if batch == 0:
            self._running = [0.0, 0.0, 0]
        running = self._running
        running[0] += float(loss)
        running[1] += float(acc)
        running[2] += 1
        self.batch_means(epoch, batch + 1, n_batches, running[0] / running[2], running[1] / running[2])

    def end_epoch(self, epoch: int, values: dict, seconds: float) -> None:
        v = {key: decimal(value, 4) for key, value in values.items() if key in METRIC_KEYS}
        self.console.print(t(
            f"época {epoch + 1}/{self.epochs} · entrenamiento: pérdida {v['train_loss']}, exactitud "
            f"{v['train_accuracy']} · test: pérdida {v['test_loss']}, exactitud {v['test_accuracy']} · "
            f"{decimal(seconds, 1)} s",
            f"epoch {epoch + 1}/{self.epochs} · training: loss {v['train_loss']}, accuracy {v['train_accuracy']}"
            f" · test: loss {v['test_loss']}, accuracy {v['test_accuracy']} · {decimal(seconds, 1)} s"),
            highlight=False)


class Recorder:
    """Keeps the run's metrics: metrics.json and TensorBoard after every epoch, timed."""

    def __init__(self, out: Path, metrics: dict, reporter=None, tensorboard=True):
        self.out, self.metrics, self.reporter = out, metrics, reporter
        self.tensorboard = figures.TensorBoard(out) if tensorboard else None
        self._mark = time.perf_counter()
        runs.save(out, metrics)

    def start(self) -> None:
        self._mark = time.perf_counter()

    def on_epoch(self, epoch: int, values: dict) -> None:
        """An epoch (0-based) finished with {"train_loss", "test_loss", "train_accuracy", "test_accuracy"}."""
        now = time.perf_counter()
        seconds, self._mark = now - self._mark, now
        runs.add_epoch(self.metrics, values, seconds)
        runs.save(self.out, self.metrics)
        if self.tensorboard:
            self.tensorboard.epoch(epoch + 1, values, seconds)
        if self.reporter:
            self.reporter.end_epoch(epoch, values, seconds)

    def backfill(self, history: dict, seconds: float) -> None:
        """Record epochs an implementation returned without calling the epoch hook."""
        done = self.metrics["completed_epochs"]
        count = len(history.get("test_accuracy", ()))
        for epoch in range(done, count):
            self.on_epoch(epoch, {k: history[k][epoch] for k in runs.CURVES})

    def finish(self, status: str) -> None:
        """Save the final status ("finished" or "interrupted") and close TensorBoard's files."""
        self.metrics["status"] = status
        runs.save(self.out, self.metrics)
        if self.tensorboard:
            self.tensorboard.close()
            self.tensorboard = None


# --------------------------------------------------------------------------- the two tracks

FLOAT32 = precision.Precision("float32", "float32", "", "float32")


def _error_line(err) -> str:
    """'TypeName: the first line of the message', at most 200 characters (TensorFlow's run long)."""
    text = (str(err).strip().splitlines() or [""])[0]
    return f"{type(err).__name__}: {text[:200]}"


def _fall_back(chosen, why: str, reporter, recorder):
    """Go on in float32, say why, and record it in metrics.json; returns the new Precision."""
    chosen = chosen.fallen_back(why)
    recorder.metrics["precision"] = chosen.record()
    runs.save(recorder.out, recorder.metrics)
    if reporter:
        reporter.note(why)
    return chosen


def _culprit(err, impl_dir, default: str, root) -> str:
    """The step whose file (in impl_dir) raised `err` deepest in its traceback, else `default`."""
    import traceback

    folder = Path(impl_dir).resolve()
    for frame in reversed(traceback.extract_tb(err.__traceback__)):
        path = Path(frame.filename)
        if path.parent == folder:
            try:
                return manifest.by_module(path.stem, root).id
            except manifest.ManifestError:
                continue
    return default


def _settle(chosen, probe, step_id, reporter, recorder, impl_dir, root):
    """`chosen`, once `probe(chosen)` shows the learner's code runs in it.

    When it does not: with --precision auto, float32 instead (said and recorded); when 16 bits
    were asked for by name, a TrainingError naming the step, the error and the way out.
    """
    if not chosen.mixed:
        return chosen
    try:
        with _step(step_id, impl_dir, root):      # a stub is named as such
            probe(chosen)
    except (KeyboardInterrupt, TrainingError):
        raise
    except Exception as err:
        step = manifest.get(_culprit(err, impl_dir, step_id, root), root)
        path = Path(impl_dir) / step.filename
        if chosen.requested != "auto":
            raise TrainingError(t(
                f"El paso '{step.id}' ({path}) no calcula en {chosen.compute}: {_error_line(err)}. Entrena en float32 "
                f"(--precision float32), o haz que tu código use el tipo de sus entradas (x.dtype) en vez de float32 fijo",
                f"Step '{step.id}' ({path}) does not compute in {chosen.compute}: {_error_line(err)}. Train in float32 "
                f"(--precision float32), or make your code follow its inputs' type (x.dtype) instead of a fixed float32"
            )) from None
        return _fall_back(chosen, t(
            f"Tu paso '{step.id}' no calcula en {chosen.compute} ({_error_line(err)}): entreno en float32",
            f"Your step '{step.id}' does not compute in {chosen.compute} ({_error_line(err)}): training in float32"),
            reporter, recorder)
    return chosen


def train_tensorflow(modules, data, opts: Options, reporter, recorder, impl_dir, root=None, chosen=None):
    """Run the implementation's `train` on weights we keep; returns predict(X) → (N, 10) float32 logits.

    chosen: the Precision (float32 when None). In 16 bits the learner's `train` runs unchanged and
    calls its `generate_network` through `precision.mixed_network` (see kata.precision). The data
    stay float32: the cast happens inside the network, so a `train` that reaches the network some
    other way still runs, in float32, and says so.
    """
    import tensorflow as tf

    network, train_module = modules["generate_network"], modules["train"]
    layers = _layers(network)
    with _step("generate_network", impl_dir, root):
        weights, biases = network.init_parameters(n_output=N_CLASSES, seed=opts.seed)

    def probe(chosen):
        with precision.learner_network_in(chosen.compute, train_module, network) as wrapped:
            wrapped(np.zeros((2, 784), np.float32), weights, biases, layers)

    chosen = _settle(chosen or FLOAT32, probe, "generate_network", reporter, recorder, impl_dir, root)
    with precision.learner_network_in(chosen.compute, train_module, network) as wrapped:
        on_batch = reporter.on_batch if reporter else None
        on_epoch = recorder.on_epoch
        if wrapped is not None:
            def bypassed():
                """After the first batch (or epoch): a train() that never called the wrapper computed in float32."""
                nonlocal chosen
                if chosen.mixed and wrapped.calls == 0:
                    wrapped.restore()   # so that what traces later (the test pass) is float32 too
                    chosen = _fall_back(chosen, t(
                        "Tu train() no llama a generate_network por su nombre, así que la red calcula en float32",
                        "Your train() does not call generate_network by its name, so the network computes in float32"),
                        reporter, recorder)

            def on_batch(epoch, batch, n_batches, loss, acc):
                if epoch == 0 and batch == 0:
                    bypassed()
                if reporter:
                    reporter.on_batch(epoch, batch, n_batches, loss, acc)

            def on_epoch(epoch, values):
                if epoch == 0:
                    bypassed()
                recorder.on_epoch(epoch, values)

        recorder.start()
        with _step("train", impl_dir, root):
            returned = train_module.train(
                data, opts.epochs, opts.learning_rate, opts.batch_size, seed=opts.seed, dropout=opts.dropout,
                parameters=(weights, biases), on_batch=on_batch, on_epoch=on_epoch)
    if isinstance(returned, (list, tuple)) and len(returned) == 4:
        recorder.backfill(dict(zip(runs.CURVES, returned)), 0.0)
    forward = precision.mixed_network(network.generate_network, chosen.compute) if chosen.mixed \
        else network.generate_network

    def predict(X):
        return np.asarray(forward(tf.constant(X), weights, biases, layers), dtype=np.float32)

    return predict


def _keras_values(logs: dict) -> dict:
    """Keras's epoch logs → our four names (the accuracy metric may be named differently)."""
    def pick(prefix, word):
        names = [k for k in logs if k.startswith(prefix) and word in k and (prefix or not k.startswith("val_"))]
        if not names:
            raise TrainingError(t(
                f"El paso 'keras_train' no registra '{prefix}{word}…' (registra: {', '.join(sorted(logs))}). "
                f"compile_model debe añadir la métrica de exactitud y train_model validar con el test: pytest -m keras_train",
                f"Step 'keras_train' does not log '{prefix}{word}…' (it logs: {', '.join(sorted(logs))}). "
                f"compile_model must add the accuracy metric and train_model validate on the test set: pytest -m keras_train"))
        return float(logs[min(names, key=len)])
    return {"train_loss": pick("", "loss"), "train_accuracy": pick("", "acc"),
            "test_loss": pick("val_", "loss"), "test_accuracy": pick("val_", "acc")}


def keras_hooks(reporter, recorder):
    """A keras Callback feeding the progress bar and the recorder."""
    import keras

    class Hooks(keras.callbacks.Callback):
        # Keras may then run on_train_batch_end in a worker thread, without making the training loop
        # wait for each batch's numbers; it waits for them all before on_epoch_end.
        async_safe = True

        def on_epoch_begin(self, epoch, logs=None):
            self._epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            if reporter and logs:
                reporter.batch_means(self._epoch, batch + 1, self.params.get("steps") or batch + 1,
                                     float(logs.get("loss", 0.0)), float(logs.get("accuracy", 0.0)))

        def on_epoch_end(self, epoch, logs=None):
            recorder.on_epoch(epoch, _keras_values(logs or {}))

    return Hooks()


def train_keras(modules, data, opts: Options, reporter, recorder, impl_dir, root=None, chosen=None):
    """Build, compile and fit the implementation's keras model; returns predict(X) → (N, 10) float32 logits.

    chosen: the Precision (float32 when None). In 16 bits the model is built under Keras's
    mixed-precision policy (kata.precision.keras_policy); its loss computes in float32.
    """
    model = None

    def build(chosen):
        nonlocal model
        with precision.keras_policy(chosen.compute):
            with _step("keras_model", impl_dir, root):
                model = modules["keras_model"].build_model(n_output=N_CLASSES, dropout=opts.dropout)
            with _step("keras_train", impl_dir, root):
                modules["keras_train"].compile_model(model, opts.learning_rate)

    def probe(chosen):
        build(chosen)
        model(np.zeros((2, 784), np.float32))

    chosen = _settle(chosen or FLOAT32, probe, "keras_model", reporter, recorder, impl_dir, root)
    if not chosen.mixed:
        build(chosen)
    elif chosen.compute not in {getattr(layer, "compute_dtype", None) for layer in model.layers}:
        chosen = _fall_back(chosen, t(
            "Tu build_model fija dtype float32 en cada capa, así que la red calcula en float32",
            "Your build_model sets dtype float32 on every layer, so the network computes in float32"), reporter, recorder)
    recorder.start()
    with precision.keras_policy(chosen.compute), _step("keras_train", impl_dir, root):
        history = modules["keras_train"].train_model(
            model, data, epochs=opts.epochs, batch_size=opts.batch_size, callbacks=[keras_hooks(reporter, recorder)])
    logs = getattr(history, "history", None)
    if logs and recorder.metrics["completed_epochs"] < len(logs.get("val_loss", ())):
        epochs = [_keras_values({k: v[i] for k, v in logs.items()}) for i in range(len(logs["val_loss"]))]
        recorder.backfill({k: [e[k] for e in epochs] for k in runs.CURVES}, 0.0)

    def predict(X):
        return np.asarray(model.predict(X, batch_size=PREDICT_BATCH, verbose=0), dtype=np.float32)

    return predict


TRAINERS = {"tensorflow": train_tensorflow, "keras": train_keras}


def predicted_classes(predict, X, batch_size=PREDICT_BATCH) -> np.ndarray:
    """(N,) argmax of predict(X) computed a batch at a time (all 10,000 at once would need ~3 GB)."""
    parts = [np.argmax(predict(X[i:i + batch_size]), axis=1) for i in range(0, len(X), batch_size)]
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


# --------------------------------------------------------------------------- the whole run

def run(opts: Options, console=None) -> Result:
    """Train, record and draw one run. Raises TrainingError for what the learner can fix.

    Ctrl-C stops training; the epochs that finished are kept and drawn, status "interrupted".
    """
    from rich.console import Console

    console = console or Console()
    try:
        manifest.track(opts.track, opts.root)
    except manifest.ManifestError as err:
        raise TrainingError(str(err)) from None
    root = opts.root
    quiet.tensorflow()   # before the learner's modules import it, so its C++ start-up lines stay hidden
    impl_dir, modules = load_steps(opts.track, opts.impl, root)
    out = _out_folder(opts.out or runs.default_out(opts.track), runs.check_out)
    preflight(opts.track, modules, impl_dir, root)
    try:
        chosen = precision.choose(opts.precision)
    except precision.PrecisionError as err:
        raise TrainingError(str(err)) from None
    if opts.seed is not None:
        import keras

        keras.utils.set_random_seed(opts.seed)  # Python, NumPy and TensorFlow (dropout) at once

    import input_data

    source = input_data.where(opts.data_dir)
    before = data_source(opts.data_dir)
    console.print(t(f"Cargando Fashion-MNIST: {source}…", f"Loading Fashion-MNIST: {source}…"), highlight=False)
    with _step("data", impl_dir, root):
        data = load_dataset(modules["data"], opts.data_dir, opts.limit)
    found = data_source(opts.data_dir)
    if before["found_in"] == "download" and found["found_in"] == "data_dir":
        found["found_in"] = "downloaded"
    out = _out_folder(out, runs.prepare_out)
    _announce(console, opts, data, impl_dir, out, chosen)
    metrics = runs.new_metrics(opts.track, opts.impl or "exercises", impl_dir, opts.hyperparameters(),
                               {"dir": str(opts.data_dir), "source": found["folder"], "found_in": found["found_in"],
                                "train_images": len(data[0]), "test_images": len(data[2])},
                               precision=chosen.record())
    status = "finished"
    with Reporter(opts.epochs, opts.batch_size, console, n_images=len(data[0])) as reporter:
        recorder = Recorder(out, metrics, reporter)
        try:
            predict = TRAINERS[opts.track](modules, data, opts, reporter, recorder, impl_dir, root, chosen=chosen)
        except KeyboardInterrupt:
            status, predict = "interrupted", None
            recorder.finish(status)
        except BaseException:
            recorder.finish("failed")
            raise
    try:
        written = _draw(modules, metrics, data, predict, out, impl_dir, root, console)
    except BaseException:
        recorder.finish("failed")   # metrics.json must not keep saying "running"
        raise
    recorder.finish(status)
    _final_line(console, metrics, status, out)
    return Result(out, metrics, status, written)


def _announce(console, opts, data, impl_dir, out, chosen) -> None:
    """Two lines: what trains on what, with which settings, where it goes; and in what precision."""
    n_train, n_test = len(data[0]), len(data[2])
    epochs = count(opts.epochs, ("época", "épocas"), ("epoch", "epochs"))
    console.print(t(
        f"{opts.track}: {n_train} imágenes de entrenamiento, {n_test} de test, "
        f"{epochs}, lotes de {opts.batch_size} · implementación {impl_dir} → {out}",
        f"{opts.track}: {n_train} training images, {n_test} test images, "
        f"{epochs}, batches of {opts.batch_size} · implementation {impl_dir} → {out}"), highlight=False)
    console.print(chosen.describe(), highlight=False)


def _out_folder(out, action) -> Path:
    try:
        return action(out)
    except runs.RunError as err:
        raise TrainingError(str(err)) from None


def _draw(modules, metrics, data, predict, out, impl_dir, root, console) -> list:
    """The figures of what completed: curves always (≥ 1 epoch), predictions when training ended."""
    import input_data

    written = []
    if metrics["completed_epochs"]:
        with _step("print_results", impl_dir, root):
            written += figures.curves(modules["print_results"].print_results, metrics["history"], out)
    if predict is not None and metrics["completed_epochs"]:
        _, _, test_X, test_y = data
        predicted = predicted_classes(predict, test_X)
        true = np.argmax(test_y, axis=1)
        with _step("plot_image", impl_dir, root):
            written.append(figures.samples(modules["plot_image"].plot_image, test_X, true, predicted,
                                           input_data.LABELS, out))
        written.append(figures.confusion(true, predicted, input_data.LABELS, out))
    return written


def _final_line(console, metrics, status, out) -> None:
    done, accuracy = metrics["completed_epochs"], metrics["test_accuracy"]
    epochs = count(done, ("época", "épocas"), ("epoch", "epochs"))
    if status == "interrupted":
        console.print(t(f"Interrumpido tras {epochs}; lo hecho está en {out}", f"Interrupted after {epochs}; kept in {out}"))
    if accuracy is not None:
        console.print(t(f"Exactitud en test tras {epochs}: {decimal(accuracy, 4)}",
                        f"Test accuracy after {epochs}: {decimal(accuracy, 4)}") + f"  ({out})",
                      style="bold", highlight=False)
        console.print(t(f"Figuras en {out}; curvas en vivo: tensorboard --logdir {out / 'tensorboard'}",
                        f"Pictures in {out}; live curves: tensorboard --logdir {out / 'tensorboard'}"),
                      highlight=False)
