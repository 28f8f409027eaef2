"""Speed and memory of `kata train` against keras.Model.fit, measured in one run.

    python -m kata_dev.bench [--epochs 2] [--limit N] [--batch-size 128] [--no-rss] [--json PATH]
    kata dev bench [same options]

1. Seconds per epoch of the tensorflow track: the code path of `kata train --impl solutions`
   (kata.training.train_tensorflow, with its progress hook, metrics.json and TensorBoard writes).
2. Seconds per epoch of keras.Model.fit on the identical architecture (the solutions' keras model,
   compiled by the solutions' compile_model), on the same arrays, batch size and test set.
   Both evaluate the test set after every epoch, as `kata train` does.
3. The ratio of (1) to (2) over the epochs after the first (the first one traces the graphs),
   target ≤ 1.05; wall-clock time, and also CPU time of this process, which other programs
   running on the machine disturb less.
4. Peak resident memory (ru_maxrss) of `kata train --epochs 1` in a child process, per track,
   target ≤ 1.5 GB (measured first, while this process is small: see main()).
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


def add_options(p):
    """The benchmark's options on an argparse parser (also used by `kata bench`)."""
    p.add_argument("--epochs", type=int, default=2, help="epochs per contender (default 2; ≥ 2 for a steady ratio)")
    p.add_argument("--limit", type=int, default=None, help="first N training images only (default all 55,000)")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--data-dir", default="data/fashion")
    p.add_argument("--no-rss", action="store_true", help="skip the memory measurement of `kata train`")
    p.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return p


def _options(argv):
    parser = argparse.ArgumentParser(prog="python -m kata_dev.bench", description=__doc__.split("\n\n")[0])
    return add_options(parser).parse_args(argv)


def _steady(seconds):
    """Mean seconds per epoch leaving out the first (tracing), when there are more."""
    later = seconds[1:] or seconds
    return sum(later) / len(later)


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


def time_kata_tensorflow(data, args, root):
    """Clock of kata.training's tensorflow track with the solutions, and its test accuracy."""
    import keras
    from rich.console import Console

    from kata import runs, training

    impl_dir, modules = training.load_steps("tensorflow", "solutions", root)
    opts = training.Options(track="tensorflow", impl="solutions", epochs=args.epochs,
                            batch_size=args.batch_size, seed=0, limit=args.limit)
    keras.utils.set_random_seed(0)
    with tempfile.TemporaryDirectory(prefix="kata-bench-") as out:
        metrics = runs.new_metrics("tensorflow", "solutions", impl_dir, opts.hyperparameters(), {})
        reporter = training.Reporter(args.epochs, args.batch_size, Console(file=io.StringIO()))
        recorder = training.Recorder(Path(out), metrics, reporter)
        clock = Clock()
        record = recorder.on_epoch

        def on_epoch(epoch, values):
            clock.lap()
            record(epoch, values)

        recorder.on_epoch = on_epoch
        clock.start()
        training.train_tensorflow(modules, data, opts, reporter, recorder, impl_dir, root)
        recorder.finish("finished")
    return clock, metrics["test_accuracy"]


def time_keras_fit(data, args, root):
    """Clock of keras.Model.fit on the solutions' model (compiled by the solutions), and its test accuracy."""
    import keras

    from kata import impl

    build = impl.load_step("keras_model", "solutions", reference_deps=False, root=root)
    compile_ = impl.load_step("keras_train", "solutions", reference_deps=False, root=root)
    train_X, train_y, test_X, test_y = data
    keras.utils.set_random_seed(0)
    model = compile_.compile_model(build.build_model(), 0.001)
    clock = Clock()

    class EpochEnds(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            clock.lap()

    clock.start()
    history = model.fit(train_X, train_y, epochs=args.epochs, batch_size=args.batch_size, shuffle=True,
                        validation_data=(test_X, test_y), verbose=0, callbacks=[EpochEnds()])
    return clock, float(history.history["val_accuracy"][-1])


def peak_rss_of_kata_train(track, args):
    """ru_maxrss in bytes of `python -m kata train --impl solutions --epochs 1` (its own child)."""
    with tempfile.TemporaryDirectory(prefix="kata-bench-rss-") as out:
        command = [sys.executable, "-m", "kata", "train", "--impl", "solutions", "--track", track,
                   "--epochs", "1", "--out", str(Path(out) / "run"), "--data-dir", args.data_dir, "--seed", "0"]
        if args.limit:
            command += ["--limit", str(args.limit)]
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        stderr = child.stderr.read().decode(errors="replace")
        child.stderr.close()
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {child.returncode}:\n{stderr[-2000:]}")
    return usage.ru_maxrss * 1024  # Linux reports kibibytes


def main(argv=None, args=None) -> int:
    """Run the benchmark; `args` (already parsed by `kata bench`) wins over `argv`."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = args or _options(sys.argv[1:] if argv is None else argv)
    from kata import training
    from kata.paths import find_root

    root = find_root()
    # Memory first: a child's ru_maxrss starts from its parent's size at fork time on Linux, so
    # it is measured while this process is still small (before TensorFlow and the data).
    figures, missed = {}, False
    if not args.no_rss:
        for track in ("tensorflow", "keras"):
            rss = peak_rss_of_kata_train(track, args)
            figures[f"kata_train_{track}_peak_rss_bytes"] = rss
            ok = rss <= RSS_TARGET_GB * 1e9
            missed |= not ok
            print(f"peak RSS of `kata train --track {track} --epochs 1`: {rss / 1e9:.2f} GB "
                  f"(target ≤ {RSS_TARGET_GB} GB: {'ok' if ok else 'ABOVE TARGET'})", flush=True)

    _, modules = training.load_steps("tensorflow", "solutions", root)
    data = training.load_dataset(modules["data"], args.data_dir, args.limit)
    print(f"data: {len(data[0])} training images, {len(data[2])} test images; batch {args.batch_size}; "
          f"{args.epochs} epochs each; {os.cpu_count()} CPU(s)", flush=True)

    ours, tf_acc = time_kata_tensorflow(data, args, root)
    print(f"kata train (tensorflow track): {_fmt(ours)}  test acc {tf_acc:.4f}", flush=True)
    theirs, keras_acc = time_keras_fit(data, args, root)
    print(f"keras.Model.fit              : {_fmt(theirs)}  test acc {keras_acc:.4f}", flush=True)
    ratio = _steady(ours.wall) / _steady(theirs.wall)
    cpu_ratio = _steady(ours.cpu) / _steady(theirs.cpu)
    verdict = "ok" if ratio <= RATIO_TARGET else "ABOVE TARGET"
    print(f"ratio kata/keras (epochs after the first): wall {ratio:.3f} (target ≤ {RATIO_TARGET}: {verdict}); "
          f"CPU {cpu_ratio:.3f}")

    import resource

    figures.update({"train_images": len(data[0]), "batch_size": args.batch_size, "epochs": args.epochs,
                    "tensorflow_epoch_seconds": ours.wall, "keras_fit_epoch_seconds": theirs.wall,
                    "tensorflow_epoch_cpu_seconds": ours.cpu, "keras_fit_epoch_cpu_seconds": theirs.cpu,
                    "ratio": ratio, "cpu_ratio": cpu_ratio,
                    "bench_peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024})
    missed |= ratio > RATIO_TARGET
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 1 if (missed and args.strict) else 0


def _fmt(clock):
    epochs = ", ".join(f"{s:.1f}" for s in clock.wall)
    return (f"{_steady(clock.wall):.2f} s/epoch after the first [{epochs}], "
            f"CPU {_steady(clock.cpu):.2f} s/epoch")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
