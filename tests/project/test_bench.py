"""`kata dev bench`: its FLOP count of the course network, its arithmetic (ratios, images per
second, roofline), and its contenders measuring real, if tiny, training runs.

No test here asserts a speed: speed belongs to the benchmark itself, as ratios measured in one run.
"""

import argparse
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kata import impl, precision  # noqa: E402
from kata_dev import bench  # noqa: E402


def _macs_of(model) -> int:
    """Multiply-adds of a keras model's Conv2D and Dense layers, read from the built layers' shapes."""
    total = 0
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "Conv2D":
            height, width, in_channels, filters = layer.kernel.shape
            _, rows, cols, _ = layer.output.shape
            total += rows * cols * height * width * in_channels * filters
        elif kind == "Dense":
            total += layer.kernel.shape[0] * layer.kernel.shape[1]
    return total


def test_the_forward_pass_count_matches_the_layers_of_the_course_model():
    model = impl.load_step("keras_model", "solutions", reference_deps=False, root=ROOT).build_model()
    assert bench.forward_macs() == _macs_of(model) == 5_449_216


def test_training_counts_forward_weight_gradients_and_all_input_gradients_but_the_images():
    # conv1 needs no input gradient: 3 × 5,449,216 − 28·28·9·32 multiply-adds, 2 FLOPs each
    assert bench.training_flops_per_image() == 2 * (3 * 5_449_216 - 225_792) == 32_243_712
    assert bench.epoch_flops(55_000, 10_000) == 55_000 * 32_243_712 + 10_000 * 2 * 5_449_216


def test_the_precisions_measured_are_float32_and_autos_choice_once_each():
    assert bench.precisions_to_measure(None, "bfloat16") == ["float32", "bfloat16"]
    assert bench.precisions_to_measure(None, "float32") == ["float32"]
    assert bench.precisions_to_measure(["auto", "float16", "bfloat16"], "bfloat16") == ["bfloat16", "float16"]


def _result(seconds, cpu, accuracy=0.9, compute="float32", n_train=1000):
    return {"wall": seconds, "cpu": cpu, "test_accuracy": accuracy, "compute": compute,
            "train_images": n_train, "test_images": 500}


def test_the_summary_divides_by_keras_fit_in_the_same_precision_and_by_the_peak():
    results = {"float32": {"tensorflow": _result([9.0, 2.0, 3.0], [9.0, 4.0, 4.5]),
                           "fit": _result([9.0, 2.5, 2.5], [9.0, 5.0, 5.0])},
               "bfloat16": {"tensorflow": _result([5.0, 1.0, 1.0], [5.0, 2.0, 2.0], compute="bfloat16"),
                            "fit": _result([5.0, 2.0, 2.0], [5.0, 2.0, 2.0], compute="bfloat16")}}
    peaks = {"float32": 1e9, "bfloat16": 4e9}
    summary = bench.summarise(results, peaks, flops=1e9)
    tf32, tf16 = summary["table"]["float32"]["tensorflow"], summary["table"]["bfloat16"]["tensorflow"]
    assert tf32["seconds_per_epoch"] == 2.0 and tf32["images_per_second"] == 500.0   # the fastest after the first
    assert tf32["mean_seconds_per_epoch"] == 2.5
    assert tf32["ratio_to_fit"] == pytest.approx(0.8) and tf32["cpu_ratio_to_fit"] == pytest.approx(0.8)
    assert tf32["roofline"] == pytest.approx(0.5) and tf16["roofline"] == pytest.approx(0.25)
    assert tf16["ratio_to_fit"] == pytest.approx(0.5)
    assert summary["speedup_over_float32"] == {"bfloat16": {"tensorflow": 2.0, "fit": 1.25}}
    assert summary["cpu_speedup_over_float32"] == {"bfloat16": {"tensorflow": 2.0, "fit": 2.5}}
    text = bench.report(summary, peaks, {"training_mflop_per_image": 32.24, "test_mflop_per_image": 10.9,
                                         "epoch_tflop": 0.001, "train_images": 1000, "test_images": 500})
    assert "bfloat16 over float32 (s/epoch ratio, wall; CPU): tensorflow track 2.00×; 2.00×, keras fit 1.25×; 2.50×" in text
    assert "50.0 %" in text and "25.0 %" in text


def test_the_matmul_peak_reports_a_rate_and_the_size_that_reached_it():
    peak = bench.matmul_peak("bfloat16", sizes=(64, 128), repeats=2)
    assert peak["flops_per_second"] > 0 and peak["n"] in (64, 128)


@pytest.fixture(scope="module")
def tiny_data():
    rng = np.random.default_rng(0)
    eye = np.eye(10, dtype=np.float32)
    return (rng.random((300, 784), np.float32), eye[rng.integers(0, 10, 300)],
            rng.random((100, 784), np.float32), eye[rng.integers(0, 10, 100)])


ARGS = argparse.Namespace(epochs=2, batch_size=100, limit=None)


@pytest.mark.parametrize("track", ["tensorflow", "keras"])
def test_each_track_is_timed_epoch_by_epoch_in_the_precision_asked(tiny_data, track):
    chosen = precision.choose("bfloat16", precision.Machine(cpu_flags=frozenset({"amx_bf16"})))
    clock, accuracy, used = bench.time_track(track, tiny_data, ARGS, ROOT, chosen)
    assert len(clock.wall) == len(clock.cpu) == 2 and all(s > 0 for s in clock.wall)
    assert 0 <= accuracy <= 1 and used == "bfloat16"


def test_keras_fit_is_timed_under_the_same_policy(tiny_data):
    import keras

    chosen = precision.choose("bfloat16", precision.Machine(cpu_flags=frozenset({"amx_bf16"})))
    clock, accuracy, used = bench.time_keras_fit(tiny_data, ARGS, ROOT, chosen)
    assert len(clock.wall) == 2 and used == "bfloat16" and 0 <= accuracy <= 1
    assert keras.mixed_precision.global_policy().name == "float32"


def test_the_gpu_check_refuses_a_machine_without_a_gpu_and_says_what_to_install(monkeypatch, capsys):
    facts = {"device": "CPU Test", "gpus": [], "auto": "float32", "reason": "auto: none", "cpus": 2}
    monkeypatch.setattr(bench, "_run_child", lambda kind, args, precision=None: (facts, 0))
    assert bench.main(["--device", "gpu", "--no-rss"]) == 2
    err = capsys.readouterr().err
    assert "sees no GPU" in err and "pip install 'tensorflow[and-cuda]'" in err and "--device cpu" in err
