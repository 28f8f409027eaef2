"""How long a learner waits: `kata check` cold, `kata watch` from a save to its verdict, each as a
ratio to a bare `import tensorflow` timed in the same run, on a student release.

    python -m kata_dev.check_timing [--runs 5] [--kata OTHER_CHECKOUT]

With `--kata`, the commands run that checkout's code (PYTHONPATH), e.g. an older commit in a git
worktree, for a before/after in one run. Medians of `--runs`; the figures are seconds of wall time
on this machine (say how busy it was: `uptime`).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from kata.paths import PACKAGE_ROOT


def _env(root, code=None, **extra) -> dict:
    env = {**os.environ, "KATA_ROOT": str(root), "KATA_LANG": "en", **extra}
    if code:
        env["PYTHONPATH"] = str(code)
    return env


def tensorflow_import() -> float:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import tensorflow"], check=True, capture_output=True)
    return time.perf_counter() - began


def cold_check(root, code=None) -> float:
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kata", "check", "conv2d"], cwd=root, capture_output=True,
                          text=True, env=_env(root, code, KATA_NO_WARM="1"))
    elapsed = time.perf_counter() - began
    if "all 14 tests pass" not in done.stdout:
        raise SystemExit(f"kata check conv2d did not pass:\n{done.stdout}{done.stderr}")
    return elapsed


class Watching:
    """`kata watch conv2d` whose verdicts are timed from the moment a save is written."""

    def __init__(self, root, code=None):
        self.root = root
        self.began = time.perf_counter()
        self.verdicts = []
        self.arrived = threading.Condition()
        self.process = subprocess.Popen([sys.executable, "-u", "-m", "kata", "watch", "conv2d"], cwd=root,
                                        env=_env(root, code), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            if line.startswith(("Watching", "Vigilando")):
                with self.arrived:
                    self.verdicts.append(time.perf_counter())
                    self.arrived.notify_all()

    def wait(self, count, timeout=300) -> float:
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.verdicts) >= count, timeout):
                raise SystemExit("kata watch gave no verdict")
            return self.verdicts[count - 1]

    def save(self, text) -> float:
        target = self.root / "exercises" / "conv2d.py"
        temporary = target.with_suffix(".tmp-save")
        temporary.write_text(text, encoding="utf-8")
        saved = time.perf_counter()
        os.replace(temporary, target)
        return saved

    def stop(self):
        self.process.terminate()
        self.process.wait()


def release(folder: Path, code=None) -> Path:
    """A student release of the kata at `code` (this one by default), with conv2d solved as a learner
    would have it. A release carries its own `kata` package, so it runs that checkout's code."""
    checkout = Path(code or PACKAGE_ROOT)
    out = folder / "release"
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    env.pop("KATA_ROOT", None)
    subprocess.run([sys.executable, "-m", "kata", "dev", "release", str(out)], check=True, capture_output=True,
                   cwd=checkout, env=env)
    source = (checkout / "solutions" / "conv2d.py").read_text(encoding="utf-8")
    solved = "".join(line for line in source.splitlines(keepends=True) if "### " not in line)
    (out / "exercises" / "conv2d.py").write_text(solved, encoding="utf-8")
    return out


def measure(root, runs, code=None) -> dict:
    imports = [tensorflow_import() for _ in range(runs)]
    cold = [cold_check(root, code) for _ in range(runs)]
    watch = Watching(root, code)
    try:
        first = watch.wait(1) - watch.began
        text = (root / "exercises" / "conv2d.py").read_text(encoding="utf-8")
        saves = []
        for number in range(runs):
            saved = watch.save(text + f"\n# save {number}\n")
            saves.append(watch.wait(number + 2) - saved)
    finally:
        watch.stop()
    tf = statistics.median(imports)
    return {"import tensorflow": tf, "cold kata check": statistics.median(cold),
            "kata watch, first verdict": first, "kata watch, save to verdict": statistics.median(saves),
            "ratios": {"cold kata check": statistics.median(cold) / tf, "first verdict": first / tf,
                       "save to verdict": statistics.median(saves) / tf}}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m kata_dev.check_timing", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--kata", type=Path, help="run this checkout's code instead (PYTHONPATH)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kata-timing-") as folder:
        code = args.kata.resolve() if args.kata else None
        root = release(Path(folder), code)
        figures = measure(root, args.runs, code)
    print(f"load average before: {os.getloadavg()}")
    for name, value in figures.items():
        if name != "ratios":
            print(f"{name:28} {value:6.2f} s")
    for name, value in figures["ratios"].items():
        print(f"{name:28} {value:6.2f} × import tensorflow")


if __name__ == "__main__":
    main()
