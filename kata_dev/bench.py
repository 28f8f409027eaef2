"""Speed of `kata train` in each precision, against keras.Model.fit and against the machine's peak.

    kata dev bench [--epochs 2] [--limit N] [--batch-size 128] [--precision P ...]
                   [--device auto|cpu|gpu] [--no-rss] [--json PATH] [--strict]
    python -m kata_dev.bench [same options]

In one run, for each precision (by default float32 and, where it differs, the one `kata train
--precision auto` picks on this machine):

1. The matmul peak: the best rate of large square matrix products (n = 2048 and 4096; 8192 too on
   a GPU; 10 each), in FLOP/s, computed in that precision on this machine, before the contenders
   and again after all of them (the higher counts: other programs can only lower it).
2. Three contenders, each in a fresh child process, on the same data, batch size and test set, all
   evaluating the test set after every epoch as `kata train` does:
   - the tensorflow track: the code path of `kata train --impl solutions` (kata.training.
     train_tensorflow, with its progress hook, metrics.json and TensorBoard writes);
   - the keras track: kata.training.train_keras, the solutions' build_model, compile_model and
     train_model with the kata's callback;
   - keras fit: bare keras.Model.fit of the solutions' model under the same dtype policy, the
     reference.
   Seconds per epoch are those of the fastest epoch after the first (the first traces the graphs;
   other programs on the machine can only slow an epoch down); `--epochs 3` gives two to choose
   from. The JSON keeps every epoch and the mean too.
3. Per contender: images per second (training images ÷ seconds per epoch, the test pass
   included), the ratio to keras fit in the same precision (wall clock and CPU time of the
   process, which other programs on the machine disturb less), and the roofline fraction: the
   course network's FLOPs per epoch ÷ seconds per epoch ÷ the matmul peak of (1). Then, per
   contender, how many times faster each 16-bit precision is than float32.
4. Peak resident memory (ru_maxrss) of `kata train --epochs 1` in a child process, per track
   (`--no-rss` skips it), target ≤ 1.5 GB.

Each contender runs alone in its own process: TensorFlow's thread pools, oneDNN's caches and
Keras's global policy start fresh, and one contender's memory does not weigh on the next.
`--strict` exits 1 when the tensorflow track is slower than RATIO_TARGET × keras fit in some
precision, or memory is above target. `--device gpu` refuses to run without a GPU (see
scripts/gpu-check); `--device cpu` hides any GPU from the contenders.
"""

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RATIO_TARGET = 1.05
RSS_TARGET_GB = 1.5
CONTENDERS = ("tensorflow", "keras", "fit")
LABELS = {"tensorflow": "tensorflow track", "keras": "keras track", "fit": "keras fit"}
PRECISIONS = ("auto", "float32", "bfloat16", "float16")

# The course network, layer by layer: (output positions, inputs per output value, output channels).
# A convolution's inputs per output value are its kernel's height × width × input channels.
COURSE_LAYERS = ((28 * 28, 3 * 3 * 1, 32), (14 * 14, 3 * 3 * 32, 64), (1, 7 * 7 * 64, 512), (1, 512, 10))


def forward_macs(layers=COURSE_LAYERS) -> int:
    """Multiply-adds of one image's forward pass through the convolutions and dense layers
    (bias, ReLU, pooling and softmax are a rounding error next to them): 5,449,216 for the course."""
    return sum(positions * fan_in * channels for positions, fan_in, channels in layers)


def training_flops_per_image(layers=COURSE_LAYERS) -> int:
    """FLOPs (2 per multiply-add) of one training image: the forward pass, the gradients of every
    layer's weights (as many multiply-adds as its forward pass) and of every layer's input but the
    first's (the image needs none)."""
    first = layers[0][0] * layers[0][1] * layers[0][2]
    return 2 * (3 * forward_macs(layers) - first)


def epoch_flops(n_train: int, n_test: int, layers=COURSE_LAYERS) -> int:
    """FLOPs of one `kata train` epoch: training on n_train images, then a forward pass over n_test."""
    return n_train * training_flops_per_image(layers) + n_test * 2 * forward_macs(layers)


def add_options(p):
    """The benchmark's options on an argparse parser (also used by `kata dev bench`)."""
    p.add_argument("--epochs", type=int, default=3,
                   help="epochs per contender (default 3: the first traces the graphs, the fastest of the others counts)")
    p.add_argument("--limit", type=int, default=None, help="first N training images only (default all 55,000)")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--data-dir", default="data/fashion")
    p.add_argument("--precision", action="append", choices=PRECISIONS, default=None,
                   help="a precision to measure, repeatable (default: float32 and what auto picks here)")
    p.add_argument("--device", choices=("auto", "cpu", "gpu"), default="auto",
                   help="cpu hides any GPU; gpu refuses to run without one (default: what TensorFlow finds)")
    p.add_argument("--no-rss", action="store_true", help="skip the memory measurement of `kata train`")
    p.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    p.add_argument("--child", choices=("machine", "peak", *CONTENDERS), default=None, help=argparse.SUPPRESS)
    p.add_argument("--result", type=Path, default=None, help=argparse.SUPPRESS)
    return p


def _options(argv):
    parser = argparse.ArgumentParser(prog="python -m kata_dev.bench", description=__doc__.split("\n\n")[0])
    return add_options(parser).parse_args(argv)


def steady(seconds):
    """Mean seconds per epoch leaving out the first (tracing), when there are more."""
    later = seconds[1:] or seconds
    return sum(later) / len(later)


def fastest(seconds):
    """The fastest epoch after the first (tracing), when there are more: what the contender takes
    when the machine lets it, since other programs can only slow an epoch down."""
    return min(seconds[1:] or seconds)


class Clock:
    """Wall and CPU seconds of each epoch: CPU time is steadier on a machine shared with others."""

    def __init__(self):
        self.wall, self.cpu = [], []
        self.start()

    def start(self):
        self._marks = (time.perf_counter(), time.process_time())

    def lap(self):
        now = (time.perf_counter(), time.process_time())
        self.wall.append(now[0] - self._marks[0])
        self.cpu.append(now[1] - self._marks[1])
        self._marks = now


# --------------------------------------------------------------------------- inside a child

def machine_facts() -> dict:
    """The device the contenders run on and what `auto` picks there."""
    from kata import precision

    machine = precision.detect()
    auto = precision.choose("auto", machine)
    return {"device": machine.device(), "gpus": [list(g) for g in machine.gpus], "auto": auto.compute,
            "reason": auto.reason, "cpu_bf16": machine.cpu_bf16(), "onednn": machine.onednn,
            "cpus": os.cpu_count()}


def matmul_peak(compute: str, sizes=None, repeats=10) -> dict:
    """{"flops_per_second", "n"}: the best rate of an n × n matmul over `sizes` in `compute`."""
    import numpy as np
    import tensorflow as tf

    on_gpu = bool(tf.config.list_physical_devices("GPU"))
    sizes = sizes or ((2048, 4096, 8192) if on_gpu else (2048, 4096))
    product = tf.function(lambda a, b: tf.reduce_sum(tf.cast(tf.matmul(a, b), tf.float32)), autograph=False)
    best = {"flops_per_second": 0.0, "n": None}
    rng = np.random.default_rng(0)
    for n in sizes:
        a, b = (tf.cast(tf.constant(rng.standard_normal((n, n), np.float32)), compute) for _ in range(2))
        product(a, b).numpy()   # trace and warm up
        for _ in range(repeats):
            start = time.perf_counter()
            product(a, b).numpy()
            rate = 2 * n ** 3 / (time.perf_counter() - start)
            if rate > best["flops_per_second"]:
                best = {"flops_per_second": rate, "n": n}
    return best


def _quiet_reporter(args):
    from rich.console import Console

    from kata import training

    return training.Reporter(args.epochs, args.batch_size, Console(file=io.StringIO()))


def time_track(track: str, data, args, root, chosen):
    """(Clock, test accuracy, compute type used) of kata.training's `track` with the solutions."""
    import keras

    from kata import runs, training

    impl_dir, modules = training.load_steps(track, "solutions", root)
    opts = training.Options(track=track, impl="solutions", epochs=args.epochs, batch_size=args.batch_size,
                            seed=0, limit=args.limit)
    keras.utils.set_random_seed(0)
    with tempfile.TemporaryDirectory(prefix="kata-bench-") as out:
        metrics = runs.new_metrics(track, "solutions", impl_dir, opts.hyperparameters(), {}, chosen.record())
        recorder = training.Recorder(Path(out), metrics, _quiet_reporter(args))
        clock = Clock()
        record = recorder.on_epoch

        def on_epoch(epoch, values):
            clock.lap()
            record(epoch, values)

        recorder.on_epoch = on_epoch
        clock.start()
        training.TRAINERS[track](modules, data, opts, recorder.reporter, recorder, impl_dir, root, chosen=chosen)
        recorder.finish("finished")
    return clock, metrics["test_accuracy"], metrics["precision"]["compute"]


def time_keras_fit(data, args, root, chosen):
    """(Clock, test accuracy, compute type) of keras.Model.fit on the solutions' model, built and
    compiled by the solutions under the precision's dtype policy."""
    import keras

    from kata import impl, precision

    build = impl.load_step("keras_model", "solutions", reference_deps=False, root=root)
    compile_ = impl.load_step("keras_train", "solutions", reference_deps=False, root=root)
    train_X, train_y, test_X, test_y = data
    keras.utils.set_random_seed(0)
    with precision.keras_policy(chosen.compute):
        model = compile_.compile_model(build.build_model(), 0.001)
    clock = Clock()

    class EpochEnds(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            clock.lap()

    clock.start()
    history = model.fit(train_X, train_y, epochs=args.epochs, batch_size=args.batch_size, shuffle=True,
                        validation_data=(test_X, test_y), verbose=0, callbacks=[EpochEnds()])
    return clock, float(history.history["val_accuracy"][-1]), model.layers[-1].compute_dtype


def child(args) -> dict:
    """What one child process measures (args.child names it), as a JSON-ready dict."""
    from kata import quiet

    quiet.tensorflow()
    if args.child == "machine":
        return machine_facts()
    requested = args.precision[0]
    if args.child == "peak":
        return matmul_peak(requested)
    from kata import precision, training
    from kata.paths import find_root

    root = find_root()
    chosen = precision.choose(requested)
    _, modules = training.load_steps("tensorflow", "solutions", root)
    data = training.load_dataset(modules["data"], args.data_dir, args.limit)
    if args.child == "fit":
        clock, accuracy, used = time_keras_fit(data, args, root, chosen)
    else:
        clock, accuracy, used = time_track(args.child, data, args, root, chosen)
    return {"wall": clock.wall, "cpu": clock.cpu, "test_accuracy": accuracy, "compute": used,
            "train_images": len(data[0]), "test_images": len(data[2])}


# --------------------------------------------------------------------------- the parent

def _run_child(kind, args, precision=None):
    """Run `python -m kata_dev.bench --child KIND` with args' settings; (its result, its peak RSS)."""
    with tempfile.TemporaryDirectory(prefix="kata-bench-child-") as folder:
        result = Path(folder) / "result.json"
        command = [sys.executable, "-m", "kata_dev.bench", "--child", kind, "--result", str(result),
                   "--epochs", str(args.epochs), "--batch-size", str(args.batch_size), "--data-dir", args.data_dir]
        command += ["--limit", str(args.limit)] if args.limit else []
        command += ["--precision", precision] if precision else []
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", KATA_LANG="en")   # the bench speaks English
        if args.device == "cpu":
            env["CUDA_VISIBLE_DEVICES"] = "-1"
        code, rss, stderr = _wait(command, env)
        if code != 0:
            raise RuntimeError(f"{' '.join(command)} exited with {code}:\n{stderr[-3000:]}")
        return json.loads(result.read_text(encoding="utf-8")), rss


def _wait(command, env=None):
    """(exit code, peak RSS in bytes, stderr text) of a child process."""
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    stderr = child.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(child.pid, 0)
    child.stderr.close()
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, usage.ru_maxrss * 1024, stderr  # Linux reports kibibytes


def peak_rss_of_kata_train(track, args):
    """ru_maxrss in bytes of `python -m kata train --impl solutions --epochs 1` (its own child)."""
    with tempfile.TemporaryDirectory(prefix="kata-bench-rss-") as out:
        command = [sys.executable, "-m", "kata", "train", "--impl", "solutions", "--track", track,
                   "--epochs", "1", "--out", str(Path(out) / "run"), "--data-dir", args.data_dir, "--seed", "0"]
        command += ["--limit", str(args.limit)] if args.limit else []
        code, rss, stderr = _wait(command)
    if code != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {code}:\n{stderr[-2000:]}")
    return rss


def _peak(args, compute) -> dict:
    """The matmul peak in `compute`, measured in a child process."""
    peak, _ = _run_child("peak", args, compute)
    return peak


def precisions_to_measure(asked, auto: str) -> list:
    """The compute types to measure, in order, each once: `asked` with auto resolved, or by
    default float32 then auto's choice."""
    wanted = [auto if p == "auto" else p for p in (asked or ["float32", "auto"])]
    return list(dict.fromkeys(wanted))


def summarise(results: dict, peaks: dict, flops: int) -> dict:
    """Per precision and contender: s/epoch, CPU s/epoch, images/s, the ratios to keras fit and
    the roofline fraction; per contender, each precision's speed-up over float32.

    results: {precision: {contender: child result}}; peaks: {precision: FLOP/s}; flops: per epoch.
    """
    table, speedups = {}, {}
    for compute, contenders in results.items():
        fit = contenders.get("fit")
        for name, result in contenders.items():
            seconds, cpu = fastest(result["wall"]), fastest(result["cpu"])
            row = {"seconds_per_epoch": seconds, "cpu_seconds_per_epoch": cpu,
                   "mean_seconds_per_epoch": steady(result["wall"]),
                   "images_per_second": result["train_images"] / seconds,
                   "roofline": flops / seconds / peaks[compute] if peaks.get(compute) else None,
                   "flops_per_second": flops / seconds, "test_accuracy": result["test_accuracy"],
                   "compute": result["compute"], "epoch_seconds": result["wall"]}
            if fit:
                row["ratio_to_fit"] = seconds / fastest(fit["wall"])
                row["cpu_ratio_to_fit"] = cpu / fastest(fit["cpu"])
            table.setdefault(compute, {})[name] = row
    cpu_speedups = {}
    if "float32" in table:
        for compute in table:
            if compute != "float32":
                rows = {name: row for name, row in table[compute].items() if name in table["float32"]}
                speedups[compute] = {name: table["float32"][name]["seconds_per_epoch"] / row["seconds_per_epoch"]
                                     for name, row in rows.items()}
                cpu_speedups[compute] = {name: table["float32"][name]["cpu_seconds_per_epoch"]
                                         / row["cpu_seconds_per_epoch"] for name, row in rows.items()}
    return {"table": table, "speedup_over_float32": speedups, "cpu_speedup_over_float32": cpu_speedups}


def report(summary: dict, peaks: dict, flops_info: dict) -> str:
    """The summary as the text the bench prints."""
    lines = [f"{'precision':<10} {'contender':<17} {'s/epoch':>8} {'img/s':>7} {'×fit':>6} {'CPU ×fit':>8} "
             f"{'roofline':>8} {'test acc':>8}"]
    for compute, rows in summary["table"].items():
        for name, row in rows.items():
            ratio = f"{row['ratio_to_fit']:.3f}" if "ratio_to_fit" in row else "—"
            cpu_ratio = f"{row['cpu_ratio_to_fit']:.3f}" if "cpu_ratio_to_fit" in row else "—"
            roof = f"{100 * row['roofline']:.1f} %" if row["roofline"] is not None else "—"
            lines.append(f"{compute:<10} {LABELS[name]:<17} {row['seconds_per_epoch']:>8.2f} "
                         f"{row['images_per_second']:>7.0f} {ratio:>6} {cpu_ratio:>8} {roof:>8} {row['test_accuracy']:>8.4f}")
    for compute, gains in summary["speedup_over_float32"].items():
        cpu = summary["cpu_speedup_over_float32"][compute]
        lines.append(f"{compute} over float32 (s/epoch ratio, wall; CPU): "
                     + ", ".join(f"{LABELS[name]} {gain:.2f}×; {cpu[name]:.2f}×" for name, gain in gains.items()))
    lines.append("matmul peak: " + ", ".join(f"{compute} {rate / 1e9:,.0f} GFLOP/s" for compute, rate in peaks.items()))
    lines.append(f"course network: {flops_info['training_mflop_per_image']:.2f} MFLOP per training image, "
                 f"{flops_info['test_mflop_per_image']:.2f} per test image → {flops_info['epoch_tflop']:.3f} TFLOP "
                 f"per epoch ({flops_info['train_images']} + {flops_info['test_images']} images)")
    return "\n".join(lines)


def main(argv=None, args=None) -> int:
    """Run the benchmark (or, with --child, one of its parts); `args` (parsed by `kata dev bench`) wins over `argv`."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = args or _options(sys.argv[1:] if argv is None else argv)
    if args.child:
        args.result.write_text(json.dumps(child(args)) + "\n", encoding="utf-8")
        return 0
    facts, _ = _run_child("machine", args)
    if args.device == "gpu" and not facts["gpus"]:
        print("kata dev bench --device gpu: TensorFlow sees no GPU here (tf.config.list_physical_devices('GPU') is "
              "empty). Install a CUDA build of TensorFlow (pip install 'tensorflow[and-cuda]') on a machine with an "
              "NVIDIA driver, or measure the CPU with --device cpu", file=sys.stderr)
        return 2
    figures, missed = {}, False
    if not args.no_rss:   # the parent holds no TensorFlow, so each child's ru_maxrss is its own
        for track in ("tensorflow", "keras"):
            rss = peak_rss_of_kata_train(track, args)
            figures[f"kata_train_{track}_peak_rss_bytes"] = rss
            ok = rss <= RSS_TARGET_GB * 1e9
            missed |= not ok
            print(f"peak RSS of `kata train --track {track} --epochs 1`: {rss / 1e9:.2f} GB "
                  f"(target ≤ {RSS_TARGET_GB} GB: {'ok' if ok else 'ABOVE TARGET'})", flush=True)
    computes = precisions_to_measure(args.precision, facts["auto"])
    epochs = f"{args.epochs} epoch{'' if args.epochs == 1 else 's'}"
    print(f"device: {facts['device']} ({facts['cpus']} CPUs); auto picks {facts['auto']} ({facts['reason']}); "
          f"measuring {', '.join(computes)}; batch {args.batch_size}; {epochs} each", flush=True)

    results, peaks = {}, {}
    for compute in computes:
        peak = _peak(args, compute)
        peaks[compute] = peak["flops_per_second"]
        print(f"{compute}: matmul peak {peak['flops_per_second'] / 1e9:,.0f} GFLOP/s (n = {peak['n']})", flush=True)
        for name in CONTENDERS:
            result, rss = _run_child(name, args, compute)
            result["peak_rss_bytes"] = rss
            results.setdefault(compute, {})[name] = result
            epochs = ", ".join(f"{s:.1f}" for s in result["wall"])
            print(f"{compute}: {LABELS[name]:<17} {fastest(result['wall']):.2f} s/epoch, the fastest after the first "
                  f"[{epochs}], CPU {fastest(result['cpu']):.2f} s, test acc {result['test_accuracy']:.4f}, "
                  f"computed in {result['compute']}", flush=True)

    for compute in computes:   # again, now the contenders are done: a peak is the best the machine gave
        later = _peak(args, compute)
        if later["flops_per_second"] > peaks[compute]:
            peaks[compute] = later["flops_per_second"]
            print(f"{compute}: matmul peak measured again, higher: {later['flops_per_second'] / 1e9:,.0f} GFLOP/s "
                  f"(n = {later['n']})", flush=True)

    first = next(iter(next(iter(results.values())).values()))
    n_train, n_test = first["train_images"], first["test_images"]
    flops = epoch_flops(n_train, n_test)
    flops_info = {"training_mflop_per_image": training_flops_per_image() / 1e6,
                  "test_mflop_per_image": 2 * forward_macs() / 1e6, "epoch_tflop": flops / 1e12,
                  "train_images": n_train, "test_images": n_test}
    summary = summarise(results, peaks, flops)
    print(report(summary, peaks, flops_info))
    for compute, rows in summary["table"].items():
        ratio = rows.get("tensorflow", {}).get("ratio_to_fit")
        if ratio is not None and ratio > RATIO_TARGET:
            missed = True
            print(f"{compute}: tensorflow track / keras fit = {ratio:.3f}, ABOVE TARGET ≤ {RATIO_TARGET}")
    figures.update({"machine": facts, "batch_size": args.batch_size, "epochs": args.epochs, "flops": flops_info,
                    "matmul_peak_flops_per_second": peaks, "results": results, **summary})
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 1 if (missed and args.strict) else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
