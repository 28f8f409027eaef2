"""The tiny kata the grader's tests grade: three pure-Python steps (alpha 1 point, beta 2 using
alpha, gamma 3), so that each child starts in about a second. Hostile code always sits in beta, so
a fair grade of any attacker is exactly 4 of 6.
"""

import csv
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from kata.judging.limits import GRADING

REPO = Path(__file__).resolve().parents[3]

TIMEOUT = 8.0          # per test, in the tiny kata; a healthy tiny test takes milliseconds
MEMORY_MB = 1500       # a tiny-kata child (Python, pytest, NumPy) needs about 400 MB of address space
OUTPUT_MB = 8

MANIFEST = """
format = 1

[[track]]
id = "tiny"
notebook = "tiny"
title.es = "Diminuta"
title.en = "Tiny"
trains_with = []

[[step]]
id = "alpha"
module = "alpha"
functions = ["double"]
uses = []
track = "tiny"
points = 1
title.es = "Doble"
title.en = "Double"
hints.es = ["2 * x"]
hints.en = ["2 * x"]

[[step]]
id = "beta"
module = "beta"
functions = ["triple"]
uses = ["alpha"]
track = "tiny"
points = 2
title.es = "Triple"
title.en = "Triple"
hints.es = ["double(x) + x"]
hints.en = ["double(x) + x"]

[[step]]
id = "gamma"
module = "gamma"
functions = ["negate"]
uses = []
track = "tiny"
points = 3
title.es = "Opuesto"
title.en = "Negate"
hints.es = ["-x"]
hints.en = ["-x"]
"""

SOLUTIONS = {
    "alpha.py": "def double(x):\n    return 2 * x\n",
    "beta.py": "from alpha import double\n\n\ndef triple(x):\n    return double(x) + x\n",
    "gamma.py": "def negate(x):\n    return -x\n",
}

TESTS = {
    "alpha": "def test_double_of_two(load_step):\n    assert load_step('alpha').double(2) == 4\n\n\n"
             "def test_double_of_minus_three(load_step):\n    assert load_step('alpha').double(-3) == -6\n",
    "beta": "def test_triple_of_two(load_step):\n    assert load_step('beta').triple(2) == 6\n\n\n"
            "def test_triple_of_zero(load_step):\n    assert load_step('beta').triple(0) == 0\n",
    "gamma": "def test_negate_of_two(load_step):\n    assert load_step('gamma').negate(2) == -2\n",
}


def beta(body: str, at_import: str = "") -> str:
    """A beta module: `at_import` runs when it is imported, `body` inside triple(x)."""
    return (f"import os, signal, sys\nfrom alpha import double\n{textwrap.dedent(at_import)}\n\n"
            f"def triple(x):\n{textwrap.indent(textwrap.dedent(body), '    ')}\n    return double(x) + x\n")


# beta's code for each hostile student; alpha and gamma are the correct ones.
HOSTILE = {
    "looper": beta("while True:\n    pass"),
    "memory_bomb": beta("blocks = []\nwhile True:\n    blocks.append(bytearray(256 * 2**20))"),
    "exit_at_import": beta("", "sys.exit(3)"),
    "exit_in_function": beta("sys.exit(0)"),
    "os_exit_at_import": beta("", "os._exit(0)"),
    "os_exit_in_function": beta("os._exit(1)"),
    "segfault": beta("os.kill(os.getpid(), signal.SIGSEGV)"),
    "syntax_error": "def triple(x)\n    return 3 * x\n",
    "printer": beta("for _ in range(10):\n    print('x' * 2**20)"),
    "skipper": beta("import pytest\npytest.skip('too hard')"),
    "session_killer": beta("import pytest\npytest.exit('bye')"),
}


def make_kata(root: Path) -> Path:
    """A tiny kata root: manifest, the real conftest.py, step tests and solutions."""
    (root / "kata").mkdir(parents=True)
    (root / "kata" / "steps.toml").write_text(MANIFEST)
    (root / "tests" / "steps").mkdir(parents=True)
    shutil.copy(REPO / "conftest.py", root / "conftest.py")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    for step, text in TESTS.items():
        (root / "tests" / "steps" / f"test_{step}.py").write_text(text)
    (root / "solutions").mkdir()
    for name, text in SOLUTIONS.items():
        (root / "solutions" / name).write_text(text)
    return root


def add_student(subs: Path, student: str, **modules) -> Path:
    """A submission folder with the correct modules, some replaced (None: left out)."""
    folder = subs / student
    folder.mkdir(parents=True)
    for name, text in {**SOLUTIONS, **{f"{k}.py": v for k, v in modules.items()}}.items():
        if text is not None:
            (folder / name).write_text(text)
    return folder


def limits(**over):
    """The grading limits of the tiny kata's tests."""
    return GRADING.with_(**{"test_seconds": TIMEOUT, "submission_seconds": 120, "memory_mb": MEMORY_MB,
                            "output_mb": OUTPUT_MB, **over})


def read_csv(path: Path) -> dict:
    with open(path, newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def result_of(out: Path, student: str) -> dict:
    return json.loads((out / "results" / f"{student}.json").read_text())


def beta_step(out: Path, student: str) -> dict:
    return next(s for s in result_of(out, student)["steps"] if s["id"] == "beta")


def run_cli(subs, out, root, *extra, jobs=1, **popen):
    """`kata dev grade SUBMISSIONS OUT` as an instructor types it, on the tiny kata, with its limits."""
    env = {**os.environ, "KATA_ROOT": str(root), "KATA_LANG": "en"}
    env.pop("PYTHONPATH", None)
    cmd = [sys.executable, "-m", "kata", "dev", "grade", str(subs), str(out), "-j", str(jobs),
           "--timeout-test", str(TIMEOUT), "--memory", str(MEMORY_MB), "--output-limit", str(OUTPUT_MB),
           "--lang", "en", *extra]
    return subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **popen)
