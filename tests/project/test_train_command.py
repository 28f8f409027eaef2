"""`kata train`, `kata compare` and their run folders, on a tiny fake Fashion-MNIST.

The fake files (5,600 training images: load_data holds out the first 5,000, as the course did,
and --limit keeps 600 of the rest; 100 test images) are random pixels, so the accuracy means
nothing here; these tests check that every output is written and well formed.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import math
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import input_data  # noqa: E402
from kata import cli, figures, manifest, precision, runs, training  # noqa: E402
from kata.i18n import decimal  # noqa: E402
from kata.stubs import make_stub  # noqa: E402

from support import idx  # noqa: E402

TRACKS = [track.id for track in manifest.tracks(ROOT)]
PICTURES = ("loss.png", "accuracy.png", "samples.png", "confusion.png")
N_TRAIN, N_TEST = 600, 100


@pytest.fixture(scope="module")
def fake_data(tmp_path_factory):
    """(folder with the four fake files, their SHA256 table for input_data)."""
    files = idx.fake_fashion(n_train=5000 + N_TRAIN, n_test=N_TEST, seed=3)
    folder = idx.write_files(tmp_path_factory.mktemp("fashion"), files)
    return folder, idx.digests(files)


@contextlib.contextmanager
def offline_data(fake):
    """input_data accepts the fake files and finds no other folder first; English messages."""
    folder, digests = fake
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(input_data, "SHA256", digests)
        patch.delenv("FASHION_MNIST_DIR", raising=False)
        patch.setenv("KATA_LANG", "en")
        yield folder


def kata(*argv):
    """(exit code, stdout, stderr) of `kata ARGV...` run in this process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def flat(text):
    """The text with every run of spaces and line breaks as one space (the console wraps at 80 columns)."""
    return " ".join(text.split())


def train_args(folder, out, *extra, epochs=1):
    return ("train", "--impl", "solutions", "--epochs", epochs, "--limit", N_TRAIN, "--seed", 0,
            "--data-dir", folder, "--out", out, *extra)


@pytest.fixture(scope="module")
def trained(fake_data, tmp_path_factory):
    """{track: (run folder, exit code, stdout, stderr)}: one epoch of each track on the fake data."""
    done = {}
    with offline_data(fake_data) as folder:
        for track in TRACKS:
            out = tmp_path_factory.mktemp("runs") / track
            done[track] = (out, *kata(*train_args(folder, out, "--track", track)))
    return done


@pytest.mark.parametrize("track", TRACKS)
def test_training_one_epoch_succeeds_and_ends_with_the_test_accuracy(trained, track):
    out, code, stdout, stderr = trained[track]
    assert code == 0, stderr
    metrics = json.loads((out / "metrics.json").read_text())
    assert f"Test accuracy after 1 epoch: {metrics['test_accuracy']:.4f}" in stdout
    assert "epoch 1/1 · training: loss " in stdout


def test_the_loading_line_says_where_the_images_come_from(trained, fake_data):
    stdout = trained["tensorflow"][2]
    assert f"Loading Fashion-MNIST: {fake_data[0]}…" in stdout, stdout


def test_a_spanish_learner_reads_the_run_in_spanish(fake_data, tmp_path):
    with offline_data(fake_data) as folder:
        code, stdout, stderr = kata("--lang", "es", *train_args(folder, tmp_path / "run"))
    assert code == 0, stderr
    assert f"Cargando Fashion-MNIST: {folder}…" in stdout
    assert re.search(r"época 1/1 · entrenamiento: pérdida \d,\d{4}, exactitud \d,\d{4} · test: pérdida", stdout), stdout
    assert "Exactitud en test tras 1 época:" in stdout
    assert f"{N_TRAIN} imágenes de entrenamiento, {N_TEST} de test, 1 época, lotes de 128" in flat(stdout)
    assert "1 épocas" not in stdout
    assert not re.search(r"\b(loss|accuracy|epoch|Loading)\b", stdout.replace("--logdir", "")), stdout


@pytest.mark.parametrize("track", TRACKS)
def test_metrics_json_holds_the_settings_the_curves_and_the_versions(trained, track):
    out = trained[track][0]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["track"] == track and metrics["impl"] == "solutions" and metrics["status"] == "finished"
    assert metrics["hyperparameters"] == {"epochs": 1, "learning_rate": 0.001, "batch_size": 128,
                                          "dropout": None, "seed": 0, "limit": N_TRAIN}
    assert metrics["data"]["train_images"] == N_TRAIN and metrics["data"]["test_images"] == N_TEST
    assert metrics["precision"]["requested"] == "auto" and metrics["precision"]["variables"] == "float32"
    assert metrics["precision"]["compute"] in ("float32", "bfloat16", "float16")
    assert set(metrics["versions"]) == {"python", "tensorflow", "keras", "numpy"}
    assert all(isinstance(v, str) and v[0].isdigit() for v in metrics["versions"].values())
    history = metrics["history"]
    assert {k: len(v) for k, v in history.items()} == dict.fromkeys(
        ("train_loss", "test_loss", "train_accuracy", "test_accuracy", "epoch_seconds"), 1)
    for key in ("train_accuracy", "test_accuracy"):
        assert 0.0 <= history[key][0] <= 1.0
    for key in ("train_loss", "test_loss", "epoch_seconds"):
        assert math.isfinite(history[key][0]) and history[key][0] > 0
    assert metrics["test_accuracy"] == history["test_accuracy"][-1]
    assert metrics["completed_epochs"] == 1


@pytest.mark.parametrize("track", TRACKS)
def test_the_four_pictures_are_real_pngs_with_something_drawn(trained, track):
    import matplotlib.image

    out = trained[track][0]
    for name in PICTURES:
        path = out / name
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        pixels = matplotlib.image.imread(path)
        assert pixels.ndim == 3 and pixels.shape[0] >= 200 and pixels.shape[1] >= 200, (name, pixels.shape)
        assert np.ptp(pixels[..., :3]) > 0.5, f"{name} is all one colour"
    assert not list(out.glob(".*")), "temporary files were left behind"


@pytest.mark.parametrize("track", TRACKS)
def test_tensorboard_gets_loss_and_accuracy_for_train_and_test(trained, track):
    import tensorflow as tf

    out = trained[track][0]
    for part in ("train", "test"):
        events = list((out / "tensorboard" / part).glob("events.out.tfevents.*"))
        assert len(events) == 1, part
        scalars = {}
        for event in tf.compat.v1.train.summary_iterator(str(events[0])):
            for value in event.summary.value:
                scalars[(value.tag, event.step)] = float(tf.make_ndarray(value.tensor))
        metrics = json.loads((out / "metrics.json").read_text())["history"]
        assert scalars[("accuracy", 1)] == pytest.approx(metrics[f"{part}_accuracy"][0])
        assert scalars[("loss", 1)] == pytest.approx(metrics[f"{part}_loss"][0])


def test_confusion_matrix_counts_true_rows_against_predicted_columns():
    matrix = figures.confusion_matrix([0, 0, 1, 2, 2], [0, 1, 1, 2, 0], n_classes=3)
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 1]]


def test_compare_prints_one_row_per_run_with_its_training_images(trained):
    folders = [trained[track][0] for track in TRACKS]
    code, stdout, stderr = kata("--lang", "en", "compare", *folders)
    assert code == 0, stderr
    for folder, track in zip(folders, TRACKS):
        metrics = json.loads((folder / "metrics.json").read_text())
        row = next(line for line in stdout.splitlines() if f" {track} " in line)
        assert f"{metrics['test_accuracy']:.4f}" in row and "1/1" in row and f" {N_TRAIN} " in row
        assert f" {metrics['precision']['compute']} " in row
    assert "not quite comparable" not in stdout, "two tracks on the same settings compare"


def test_compare_speaks_spanish_by_default_with_decimal_commas(trained, monkeypatch):
    for name in ("KATA_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    folder = trained["keras"][0]
    accuracy = json.loads((folder / "metrics.json").read_text())["test_accuracy"]
    code, stdout, _ = kata("compare", folder)
    assert code == 0
    for header in ("carpeta", "imágenes", "épocas", "cálculo", "exactitud en", "mejor época", "estado"):
        assert header in stdout, header
    assert "terminado" in stdout and decimal(accuracy, 4, "es") in stdout
    assert not re.search(r"\b(test acc|status|best epoch|finished)\b", stdout), stdout


def _copy_run(folder, to, **changes):
    """A copy of a run folder whose metrics.json has `changes` applied: {"data.train_images": 55000, ...}."""
    shutil.copytree(folder, to)
    metrics = json.loads((to / "metrics.json").read_text())
    for dotted, value in changes.items():
        *path, last = dotted.split(".")
        target = metrics
        for key in path:
            target = target[key]
        target[last] = value
    (to / "metrics.json").write_text(json.dumps(metrics))
    return to


def test_compare_says_when_a_small_run_sits_beside_a_full_one(trained, tmp_path):
    small = trained["tensorflow"][0]
    full = _copy_run(small, tmp_path / "full", **{"data.train_images": 55000, "hyperparameters.epochs": 10})
    code, stdout, _ = kata("--lang", "en", "compare", small, full)
    assert code == 0
    assert f"not quite comparable: they differ in training images ({N_TRAIN}, 55000)" in flat(stdout)
    code, stdout, _ = kata("--lang", "es", "compare", small, full)
    assert f"no son comparables del todo: difieren en imágenes de entrenamiento ({N_TRAIN}, 55000)" in flat(stdout)


def test_compare_names_every_setting_that_differs(trained, tmp_path):
    base = trained["tensorflow"][0]
    other = _copy_run(base, tmp_path / "other", **{"precision.compute": "float16", "hyperparameters.dropout": 0.3,
                                                   "hyperparameters.batch_size": 64})
    code, stdout, _ = kata("--lang", "en", "compare", base, other)
    text = flat(stdout)
    compute = json.loads((base / "metrics.json").read_text())["precision"]["compute"]
    assert "batch size (128, 64)" in text and "dropout (none, 0.3)" in text and f"compute type ({compute}, float16)" in text


def test_compare_reads_runs_written_before_the_precision_was_recorded_as_float32(trained, tmp_path):
    old = _copy_run(trained["keras"][0], tmp_path / "old")
    metrics = json.loads((old / "metrics.json").read_text())
    del metrics["precision"], metrics["data"]["source"], metrics["data"]["found_in"]
    (old / "metrics.json").write_text(json.dumps(metrics))
    assert runs.summary(runs.load(old))["precision"] == "float32"
    code, stdout, _ = kata("--lang", "en", "compare", old)
    assert code == 0 and " float32 " in stdout


def test_compare_names_a_folder_that_is_not_a_run(trained, tmp_path):
    code, _, stderr = kata("compare", trained["keras"][0], tmp_path)
    assert code == 2
    assert str(tmp_path) in stderr and "metrics.json" in stderr


def test_summary_leaves_the_first_epoch_out_of_the_mean_time_and_finds_the_best_epoch():
    metrics = {"track": "keras", "impl": "solutions", "hyperparameters": {"epochs": 3},
               "history": {"test_accuracy": [0.8, 0.9, 0.85], "epoch_seconds": [30.0, 10.0, 12.0]}}
    row = runs.summary(metrics)
    assert row["seconds_per_epoch"] == pytest.approx(11.0)
    assert row["best_epoch"] == (2, 0.9) and row["epochs"] == "3/3" and row["test_accuracy"] == 0.85


def test_the_stub_exercises_stop_with_the_unfinished_step_and_no_traceback(fake_data, tmp_path):
    with offline_data(fake_data) as folder:
        code, stdout, stderr = kata("train", "--impl", "exercises", "--data-dir", folder, "--out", tmp_path / "run")
    assert code == 2
    assert "Step 'data'" in stderr and "data.py" in stderr and "--impl solutions" in stderr
    assert "Traceback" not in stderr + stdout
    assert not (tmp_path / "run" / "metrics.json").exists()


def _submission(tmp_path, stub=None, drop=None):
    """A copy of the solutions with one module turned into its stub, or removed."""
    folder = tmp_path / "submission"
    shutil.copytree(ROOT / "solutions", folder, ignore=shutil.ignore_patterns("__pycache__"))
    if stub:
        path = folder / f"{stub}.py"
        path.write_text(make_stub(path.read_text(), stub, path.name))
    if drop:
        (folder / f"{drop}.py").unlink()
    return folder


def test_a_stub_deep_inside_the_network_is_named_as_the_unfinished_step(fake_data, tmp_path):
    submission = _submission(tmp_path, stub="conv2d")
    with offline_data(fake_data) as folder:
        code, stdout, stderr = kata("train", "--impl", submission, "--data-dir", folder, "--out", tmp_path / "run")
    assert code == 2
    assert "Step 'conv2d'" in stderr and str(submission / "conv2d.py") in stderr
    assert "Traceback" not in stderr + stdout


def test_with_two_steps_unfinished_the_earlier_one_is_named(fake_data, tmp_path):
    submission = _submission(tmp_path, stub="print_results")
    path = submission / "train.py"
    path.write_text(make_stub(path.read_text(), "train", path.name))
    with offline_data(fake_data) as folder:
        code, _, stderr = kata("train", "--impl", submission, "--data-dir", folder, "--out", tmp_path / "run")
    assert code == 2
    assert "Step 'train'" in stderr and "print_results" not in stderr, stderr


def test_a_missing_module_is_named_as_the_unfinished_step(fake_data, tmp_path):
    submission = _submission(tmp_path, drop="keras_train")
    with offline_data(fake_data) as folder:
        code, stdout, stderr = kata("train", "--track", "keras", "--impl", submission, "--data-dir", folder)
    assert code == 2
    assert "keras_train" in stderr and "--impl solutions" in stderr
    assert "Traceback" not in stderr + stdout


def test_an_out_path_under_a_regular_file_is_refused_naming_the_file(fake_data, tmp_path):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder")
    with offline_data(fake_data) as folder:
        code, _, stderr = kata(*train_args(folder, blocker / "run"))
    assert code == 2
    assert str(blocker) in stderr and "is a file" in stderr and "Traceback" not in stderr
    assert blocker.read_text() == "a file, not a folder"


def test_an_out_folder_that_already_holds_a_run_is_not_overwritten(fake_data, trained):
    out = trained["tensorflow"][0]
    before = (out / "metrics.json").read_bytes()
    with offline_data(fake_data) as folder:
        code, _, stderr = kata(*train_args(folder, out))
    assert code == 2 and "already holds a run" in stderr
    assert (out / "metrics.json").read_bytes() == before


def test_ctrl_c_keeps_the_finished_epochs_and_their_curves(fake_data, tmp_path, monkeypatch):
    finish_epoch = training.Recorder.on_epoch

    def interrupt_after_first(self, epoch, values):
        finish_epoch(self, epoch, values)
        raise KeyboardInterrupt

    monkeypatch.setattr(training.Recorder, "on_epoch", interrupt_after_first)
    out = tmp_path / "run"
    with offline_data(fake_data) as folder:
        code, stdout, _ = kata(*train_args(folder, out, epochs=3))
    assert code == 130
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["status"] == "interrupted" and metrics["completed_epochs"] == 1
    assert (out / "loss.png").is_file() and (out / "accuracy.png").is_file()
    assert "Interrupted after 1 epoch; kept in" in stdout


# --------------------------------------------------------------------------- where the images came from

def test_metrics_json_names_the_folder_the_images_came_from(trained, fake_data):
    data = json.loads((trained["tensorflow"][0] / "metrics.json").read_text())["data"]
    assert data["source"] == str(Path(fake_data[0]).resolve()) and data["found_in"] == "data_dir"


def test_metrics_json_names_fashion_mnist_dir_when_the_images_came_from_there(fake_data, tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    with offline_data(fake_data) as folder:
        monkeypatch.setenv("FASHION_MNIST_DIR", str(folder))
        code, stdout, stderr = kata(*train_args(empty, tmp_path / "run"))
    assert code == 0, stderr
    data = json.loads((tmp_path / "run" / "metrics.json").read_text())["data"]
    assert data == {"dir": str(empty), "source": str(Path(folder).resolve()), "found_in": "FASHION_MNIST_DIR",
                    "train_images": N_TRAIN, "test_images": N_TEST}
    assert f"Loading Fashion-MNIST: {folder} (FASHION_MNIST_DIR)…" in flat(stdout)


def test_data_source_follows_the_loader_order_down_to_a_download(tmp_path, monkeypatch):
    monkeypatch.delenv("FASHION_MNIST_DIR", raising=False)
    monkeypatch.setattr(input_data, "DEBIAN_DIR", str(tmp_path / "no-debian"))
    assert training.data_source(tmp_path / "cache") == {"folder": str((tmp_path / "cache").resolve()),
                                                        "found_in": "download"}


# --------------------------------------------------------------------------- the progress bar

def _rendered_bar(lang, width, monkeypatch, epochs=10, n_images=55000):
    """The last frame of a Reporter's bar at the end of an epoch with wide values, as plain lines."""
    from rich.console import Console

    monkeypatch.setenv("KATA_LANG", lang)
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=True, color_system=None)
    reporter = training.Reporter(epochs, 128, console, n_images=n_images)
    n_batches = -(-n_images // 128)
    with reporter:
        for batch in range(n_batches):
            reporter.batch_means(epochs - 1, batch + 1, n_batches, 12.3456, 0.8765)
    frames = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", buffer.getvalue()).replace("\r", "\n").split("\n")
    return [line for line in frames if line.strip()]


@pytest.mark.parametrize("lang, words", [("es", "pérdida 12,3456 · exactitud 0,8765"),
                                         ("en", "loss 12.3456 · accuracy 0.8765")])
def test_the_progress_bar_fits_80_columns_without_cutting_a_word(lang, words, monkeypatch):
    lines = _rendered_bar(lang, 80, monkeypatch)
    last = lines[-1]
    assert all(len(line) <= 80 for line in lines), [len(line) for line in lines]
    assert words in last and "430/430" in last and "…" not in last, last
    assert last.startswith("época 10/10 ━" if lang == "es" else "epoch 10/10 ━"), last


def test_a_wide_terminal_also_shows_images_per_second_in_the_learners_number_style(monkeypatch):
    last = _rendered_bar("es", 120, monkeypatch)[-1]
    assert re.search(r"\b\d+ img/s\b", last) and len(last) <= 120, last


def test_a_late_batch_update_from_another_thread_never_moves_the_bar_back(monkeypatch):
    from rich.console import Console

    monkeypatch.setenv("KATA_LANG", "en")
    reporter = training.Reporter(1, 128, Console(file=io.StringIO()), n_images=1280)
    reporter.batch_means(0, 10, 10, 0.5, 0.9)
    reporter.batch_means(0, 9, 10, 0.6, 0.8)   # Keras's worker threads may finish out of order
    task = reporter._progress.tasks[0]
    assert task.completed == 10 and task.fields["loss"] == "0.5000"


# --------------------------------------------------------------------------- precision

def test_bfloat16_asked_trains_both_tracks_in_bfloat16_and_records_it(fake_data, tmp_path):
    with offline_data(fake_data) as folder:
        for track in TRACKS:
            out = tmp_path / track
            code, stdout, stderr = kata(*train_args(folder, out, "--track", track, "--precision", "bfloat16"))
            assert code == 0, stderr
            assert "Computing in bfloat16 with float32 weights (asked with --precision bfloat16)" in flat(stdout)
            metrics = json.loads((out / "metrics.json").read_text())
            assert metrics["precision"]["compute"] == "bfloat16" and metrics["precision"]["notes"] == []
            assert 0 <= metrics["test_accuracy"] <= 1 and (out / "confusion.png").is_file()


def test_float32_asked_says_so_and_records_it(trained, fake_data, tmp_path):
    with offline_data(fake_data) as folder:
        code, stdout, stderr = kata(*train_args(folder, tmp_path / "run", "--precision", "float32"))
    assert code == 0, stderr
    assert "Computing in float32 (asked with --precision float32)" in flat(stdout)
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["precision"]["compute"] == "float32"


def test_an_unknown_precision_is_refused_by_the_command_line(fake_data, tmp_path):
    with offline_data(fake_data) as folder:
        with pytest.raises(SystemExit) as stop:
            kata(*train_args(folder, tmp_path / "run", "--precision", "half"))
    assert stop.value.code == 2


def _float32_only(tmp_path):
    """A submission whose conv2d adds a float32 constant: it cannot compute in 16 bits."""
    folder = _submission(tmp_path)
    path = folder / "conv2d.py"
    source = path.read_text()
    answer = re.search(r"    return (.+)\n    ### END SOLUTION", source)
    path.write_text(source.replace(answer.group(0), f"    return {answer.group(1)} + tf.zeros([1], tf.float32)\n"
                                                     "    ### END SOLUTION"))
    return folder


def test_a_network_fixed_to_float32_falls_back_to_float32_under_auto_and_says_why(fake_data, tmp_path, monkeypatch):
    monkeypatch.setattr(precision, "detect", lambda: precision.Machine(cpu_flags=frozenset({"avx512_bf16"})))
    submission = _float32_only(tmp_path)
    with offline_data(fake_data) as folder:
        code, stdout, stderr = kata(*train_args(folder, tmp_path / "run"), "--impl", submission)
    assert code == 0, stderr
    assert "Your step 'conv2d' does not compute in bfloat16 (" in flat(stdout) and "training in float32" in flat(stdout)
    record = json.loads((tmp_path / "run" / "metrics.json").read_text())["precision"]
    assert record["compute"] == "float32" and record["requested"] == "auto" and "conv2d" in record["notes"][0]


def test_a_network_fixed_to_float32_is_refused_when_bfloat16_is_asked_by_name(fake_data, tmp_path):
    submission = _float32_only(tmp_path)
    with offline_data(fake_data) as folder:
        code, stdout, stderr = kata(*train_args(folder, tmp_path / "run", "--precision", "bfloat16"), "--impl", submission)
    assert code == 2
    assert f"Step 'conv2d' ({submission / 'conv2d.py'}) does not compute in bfloat16" in stderr
    assert "--precision float32" in stderr and "x.dtype" in stderr and "Traceback" not in stderr + stdout


def test_a_train_that_reaches_the_network_another_way_is_recorded_as_float32(fake_data, tmp_path):
    submission = _submission(tmp_path)
    path = submission / "train.py"
    source = path.read_text()
    source = source.replace("import numpy as np\n", "import numpy as np\nimport generate_network as _network_module\n", 1)
    source = source.replace("logits = generate_network(bx,", "logits = _captured(bx,")
    path.write_text(source + "\n_captured = _network_module.generate_network\n")
    with offline_data(fake_data) as folder:
        code, stdout, stderr = kata(*train_args(folder, tmp_path / "run", "--precision", "bfloat16"), "--impl", submission)
    assert code == 0, stderr
    assert "Your train() does not call generate_network by its name, so the network computes in float32" in flat(stdout)
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["precision"]["compute"] == "float32"


# --------------------------------------------------------------------------- figures in one language

def test_spanish_figures_write_decimal_commas_like_the_terminal(monkeypatch):
    plt = figures.pyplot()
    monkeypatch.setenv("KATA_LANG", "es")
    fig, axes = plt.subplots()
    axes.plot([1, 2, 3], [0.81, 0.85, 0.8990])
    figures.decimal_commas(fig)
    fig.canvas.draw()
    labels = [label.get_text() for label in axes.get_yticklabels()]
    plt.close(fig)
    assert labels and all("." not in label for label in labels) and any("," in label for label in labels), labels


@pytest.mark.parametrize("lang, title, xlabel", [
    ("es", "Matriz de confusión (exactitud en test 0,6000)", "predicción"),
    ("en", "Confusion matrix (test accuracy 0.6000)", "predicted")])
def test_the_confusion_matrix_speaks_one_language_with_its_numbers(lang, title, xlabel, tmp_path, monkeypatch):
    monkeypatch.setenv("KATA_LANG", lang)
    drawn = {}
    keep = figures._save

    def spy(plt, fig, path):
        drawn["title"], drawn["xlabel"] = fig.axes[0].get_title(), fig.axes[0].get_xlabel()
        return keep(plt, fig, path)

    monkeypatch.setattr(figures, "_save", spy)
    figures.confusion([0, 0, 1, 2, 2], [0, 1, 1, 2, 0], {0: "a", 1: "b", 2: "c"}, tmp_path)
    assert drawn == {"title": title, "xlabel": xlabel}


def test_the_curves_of_a_spanish_run_are_drawn_with_decimal_commas(fake_data, tmp_path, monkeypatch):
    ticks = {}
    keep = figures.decimal_commas

    def spy(fig):
        keep(fig)
        fig.canvas.draw()
        ticks[len(ticks)] = [label.get_text() for axes in fig.axes for label in axes.get_yticklabels()]

    monkeypatch.setattr(figures, "decimal_commas", spy)
    with offline_data(fake_data) as folder:
        code, _, stderr = kata("--lang", "es", *train_args(folder, tmp_path / "run", epochs=2))
    assert code == 0, stderr
    labels = [label for values in ticks.values() for label in values if label]
    assert len(ticks) == 2 and labels and not any("." in label for label in labels), ticks
    assert (tmp_path / "run" / "loss.png").stat().st_size > 0
