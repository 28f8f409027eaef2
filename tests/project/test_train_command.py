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
from kata import cli, figures, manifest, runs, training  # noqa: E402
from kata.stubs import make_stub  # noqa: E402

try:
    import idx_fixtures as idx
except ImportError:  # tests/project imported as a package
    from . import idx_fixtures as idx

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
    assert not re.search(r"\b(loss|accuracy|epoch|Loading)\b", stdout.replace("--logdir", "")), stdout


@pytest.mark.parametrize("track", TRACKS)
def test_metrics_json_holds_the_settings_the_curves_and_the_versions(trained, track):
    out = trained[track][0]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["track"] == track and metrics["impl"] == "solutions" and metrics["status"] == "finished"
    assert metrics["hyperparameters"] == {"epochs": 1, "learning_rate": 0.001, "batch_size": 128,
                                          "dropout": None, "seed": 0, "limit": N_TRAIN}
    assert metrics["data"]["train_images"] == N_TRAIN and metrics["data"]["test_images"] == N_TEST
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


def test_compare_prints_one_row_per_run(trained):
    folders = [trained[track][0] for track in TRACKS]
    code, stdout, stderr = kata("compare", *folders)
    assert code == 0, stderr
    for folder, track in zip(folders, TRACKS):
        accuracy = json.loads((folder / "metrics.json").read_text())["test_accuracy"]
        row = next(line for line in stdout.splitlines() if track in line)
        assert f"{accuracy:.4f}" in row and "1/1" in row


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
