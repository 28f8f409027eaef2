"""A check in a second: `kata watch` keeps a warm judge and checks each save at once, and yet no
version of the learner's code reaches the next; `kata check` from another terminal is answered by
the same warm judge; a version that crashes costs only its own check; a newer save cancels the
check of an older one; without fork (macOS, Windows) the cold path still works.

Each test drives `kata watch` as a learner does — a terminal, an editor saving files — on a copy
of the kata without solutions, as a student release has it.
"""

import os
import queue
import subprocess
import sys
import threading

import pytest

from support.copies import solved, student_copy
from support.watching import Watch

pytestmark = pytest.mark.slow

MESSY = '''\
import threading

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

np.allclose = lambda *args, **kwargs: True          # bends what a later version's tests might use
tf.nn.conv2d = lambda *args, **kwargs: 0
STATE = {"calls": 0}
threading.Thread(target=lambda: threading.Event().wait(), daemon=False).start()
plt.figure()


def conv2d(x, W, b, strides=1):
    STATE["calls"] += 1
    return 0
'''


def check(root, *args, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "KATA_ROOT": str(root), "KATA_LANG": "en", **env}
    return subprocess.run([sys.executable, "-m", "kata", "check", *args], cwd=root, env=environment,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture
def watching(tmp_path):
    root = student_copy(tmp_path / "kata")
    watch = Watch(root, "conv2d")
    yield root, watch
    watch.stop()


def test_a_save_is_checked_warm_and_nothing_of_one_version_reaches_the_next(watching):
    root, watch = watching
    stub = (root / "exercises" / "conv2d.py").read_text(encoding="utf-8")
    first = watch.verdict()
    assert "not implemented yet" in first
    watch.save("conv2d.py", MESSY)
    assert "0 of 14 tests pass" in watch.verdict()
    watch.save("conv2d.py", stub)
    assert watch.verdict() == first
    warm = check(root, "conv2d")                              # another terminal, answered by the watch
    cold = check(root, "conv2d", KATA_NO_WARM="1")
    assert warm.stdout.strip() == cold.stdout.strip() == first.strip()
    status = subprocess.run([sys.executable, "-m", "kata", "status"], cwd=root, capture_output=True, text=True,
                            env={**os.environ, "KATA_ROOT": str(root), "KATA_LANG": "en"}, timeout=600)
    assert "conv2d" in status.stdout and "not started" in status.stdout.split("conv2d", 1)[1].splitlines()[0]


@pytest.mark.parametrize("crash, words", [
    ("os.abort()", "crashed"), ("os._exit(3)", "exit code 3"), ("os.kill(os.getpid(), signal.SIGSEGV)", "SIGSEGV"),
    ("blocks = []\n    while True:\n        blocks.append(bytearray(2**28))", "memory")])
def test_a_version_that_crashes_costs_only_its_own_check(watching, crash, words):
    root, watch = watching
    watch.verdict()
    watch.save("conv2d.py", f"import os\nimport signal\n\n\ndef conv2d(x, W, b, strides=1):\n    {crash}\n")
    assert words in watch.verdict()
    watch.save("conv2d.py", solved("conv2d.py"))
    assert "all 14 tests pass" in watch.verdict()


def test_a_newer_save_cancels_the_check_of_an_older_one(watching, tmp_path):
    root, watch = watching
    watch.verdict()
    started = tmp_path / "started"
    os.mkfifo(started)
    watch.save("conv2d.py", f"def conv2d(x, W, b, strides=1):\n    open({str(started)!r}, 'w').write('looping')\n"
                            f"    while True:\n        pass\n")
    heard = []
    listener = threading.Thread(target=lambda: heard.append(started.read_text()), daemon=True)
    listener.start()
    listener.join(timeout=120)                     # the looping version is being checked …
    assert heard == ["looping"]
    watch.save("conv2d.py", solved("conv2d.py"))   # … when a newer save comes: its verdict, not the loop's
    assert "all 14 tests pass" in watch.verdict(timeout=120)


def test_without_fork_a_check_starts_a_worker_of_its_own_and_says_nothing_about_it(tmp_path):
    root = student_copy(tmp_path / "kata")
    (root / "exercises" / "conv2d.py").write_text(solved("conv2d.py"), encoding="utf-8")
    forked = check(root, "conv2d", KATA_NO_WARM="1")
    spawned = check(root, "conv2d", KATA_NO_WARM="1", KATA_NO_FORK="1")
    assert spawned.returncode == forked.returncode == 0
    assert spawned.stdout == forked.stdout and "all 14 tests pass" in spawned.stdout
    assert spawned.stderr == forked.stderr == ""


class Kernel:
    """What `kata.warm` uses of an IPython kernel: its loop, which runs callbacks on the kernel's main
    thread between cells (`run_while` plays that thread here; a busy kernel runs none)."""

    def __init__(self, busy=False):
        self.busy = busy
        self.io_loop = self
        self.callbacks = queue.Queue()

    def add_callback(self, function):
        self.callbacks.put(function)

    def run_while(self, thread):
        while thread.is_alive():
            try:
                function = self.callbacks.get(timeout=0.1)
            except queue.Empty:
                continue
            if not self.busy:
                function()


def ask_from_a_terminal(kernel, root) -> list:
    from kata import warm

    answers = []
    terminal = threading.Thread(target=lambda: answers.append(
        warm.ask(root, ["check", "conv2d", "--impl", "exercises"], "en")), daemon=True)
    terminal.start()
    kernel.run_while(terminal)
    return answers


def test_a_notebook_kernel_answers_kata_check_between_cells_and_turns_it_down_during_one(tmp_path, monkeypatch):
    from kata import warm

    root = student_copy(tmp_path / "kata")
    (root / "exercises" / "conv2d.py").write_text(solved("conv2d.py"), encoding="utf-8")
    monkeypatch.chdir(root)
    monkeypatch.setenv("KATA_ROOT", str(root))
    monkeypatch.setenv("KATA_LANG", "en")
    monkeypatch.delenv("KATA_NO_WARM", raising=False)
    for busy in (False, True):
        kernel = Kernel(busy)
        judge = warm.serve_from_kernel(root, kernel)
        monkeypatch.setattr(warm, "SERVING", False)       # this test is the other terminal too
        try:
            answers = ask_from_a_terminal(kernel, root)
        finally:
            judge.close()
        if busy:
            assert answers == [None]
        else:
            (output, code), = answers
            assert code == 0 and "all 14 tests pass" in output
