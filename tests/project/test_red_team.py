"""The grader attacked as a cheating student would, with real submissions and the real `kata dev grade`.

One class of submissions per attack, graded once (two at a time) on the tiny kata of test_grader.py
(alpha 1 point, beta 2 using alpha, gamma 3): the hostile code sits in beta, so the honest grade of
every attacker is 4 of 6. Each test asserts that grade, and that the attack left nothing behind:
the other students' grades, the submissions, the grader's files and installed packages unchanged,
the outputs written only by the grader, no process left running. A second, smaller class attacks
the real kata, where the reference steps a graded step uses are visible to its code.
"""

import hashlib
import json
import os
import shutil
import site
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import test_grader as tiny
from kata.paths import PACKAGE_ROOT

REPO = Path(__file__).resolve().parents[2]
MARK = "kata-red-team-marker"           # every attack process carries it, so leftovers can be found
pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None, reason="apt-get install bubblewrap (the sandbox)")


def beta(body: str, at_import: str = "") -> str:
    return tiny.beta(body, at_import)


def tree_digest(folder: Path) -> dict:
    """{relative path: sha256} of every regular file under `folder` (what an attack could have
    changed); walked with a stack, since one submission nests 1,200 folders deep."""
    found, stack = {}, [Path(folder)]
    while stack:
        current = stack.pop()
        for entry in os.scandir(current):
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    stack.append(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                found[Path(entry.path).relative_to(folder).as_posix()] = \
                    hashlib.sha256(Path(entry.path).read_bytes()).hexdigest()
    return found


def nest(folder: Path, depth: int) -> None:
    """`folder`/d/d/…/d, `depth` levels, made without recursion."""
    fd = os.open(folder, os.O_RDONLY)
    for _ in range(depth):
        os.mkdir("d", dir_fd=fd)
        inner = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(fd)


def unnest(folder: Path) -> None:
    """Remove what nest() made, deepest first, without recursion."""
    chain = [folder]
    while (chain[-1] / "d").is_dir():
        chain.append(chain[-1] / "d")
    fd = os.open(folder, os.O_RDONLY)
    fds = [fd]
    for _ in chain[1:]:
        fds.append(os.open("d", os.O_RDONLY, dir_fd=fds[-1]))
    for parent in reversed(fds[:-1]):
        os.rmdir("d", dir_fd=parent)
    for handle in fds:
        os.close(handle)


def leftovers() -> list:
    found = subprocess.run(["pgrep", "-af", MARK], capture_output=True, text=True).stdout.splitlines()
    return [line for line in found if "pgrep" not in line]


def attacks(subs: Path, out: Path, root: Path) -> dict:
    """{student: beta.py source} — one attack per class; their paths are the real ones (strongest attacker)."""
    victim = subs / "victim" / "beta.py"
    packages = Path(site.getsitepackages()[0])
    return {
        # Borrowing the answer: any other copy of triple() anywhere it can read.
        "borrower": beta(f"""\
            import glob
            places = [glob.glob(f'{{top}}/**/*.py', recursive=True) for top in ('/opt', '/tmp', '/work', '/home')]
            for path in sum(places, []) + [{str(root / 'solutions' / 'beta.py')!r}]:
                try:
                    text = open(path).read()
                except OSError:
                    continue
                if 'def triple' in text and 'glob' not in text:
                    scope = {{}}
                    exec(text.replace('from alpha import double', 'double = lambda v: 2 * v'), scope)
                    return scope['triple'](x) - double(x) - x
            return -1000"""),
        # Bending the judge: replace what tests compare with, inside its own process.
        "bender": beta("return 0", """\
            import builtins, numpy
            numpy.allclose = lambda *a, **k: True
            builtins.isinstance = lambda *a: True
            class Always(int):
                def __eq__(self, other):
                    return True
                __hash__ = int.__hash__
            import alpha
            triple_result = Always(0)"""),
        "equals_everything": beta("""\
            class Always:
                def __eq__(self, other):
                    return True
            return Always()""").replace("    return double(x) + x\n", ""),
        # Laundering skips: a skip raised from code compiled under another file's name, the stub's error.
        "launderer": beta("""\
            import _pytest.outcomes
            exec(compile('raise Skipped("fine")', '/work/main/conftest.py', 'exec'),
                 {'Skipped': _pytest.outcomes.Skipped})"""),
        "stub_mimic": beta("""\
            raise NotImplementedError("not implemented yet: fill in exercises/beta.py (step 'beta') · x")"""),
        # Forging the stream: well-formed frames and garbage on every descriptor it has.
        "forger": beta("""\
            import json, struct
            header = json.dumps({'kind': 'result', 'value': 3 * x}).encode()
            frame = struct.pack('>II', len(header), 0) + header
            for fd in range(3, 64):
                try:
                    os.write(fd, b'garbage' * 10 + frame)
                except OSError:
                    pass
            return 0"""),
        # Reaching past the worker: a double fork that outlives grading and writes afterwards.
        "escaper": beta(f"""\
            later = ("import time; time.sleep(3)\\n"
                     "for path in ({str(out / 'grades.csv')!r}, {str(victim)!r}, '/tmp/escaped-{MARK}'):\\n"
                     "    try:\\n        open(path, 'w').write('owned')\\n    except OSError:\\n        pass\\n")
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    os.execv(sys.executable, [sys.executable, '-c', later, {MARK!r}])
                os._exit(0)
            return 0"""),
        # Reaching past: another student's folder, installed packages, the grader's own bytecode.
        "vandal": beta(f"""\
            for path, text in (({str(victim)!r}, 'def triple(x):\\n    return 0\\n'),
                               ({str(packages / ('zz-' + MARK + '.pth'))!r}, 'import os'),
                               ({str(PACKAGE_ROOT / 'kata_dev' / 'grader' / '__pycache__' / 'batch.cpython-311.pyc')!r}, 'x'),
                               ({str(out / 'results' / 'victim.json')!r}, '{{}}')):
                try:
                    with open(path, 'w') as handle:
                        handle.write(text)
                except OSError:
                    pass
            return 0"""),
        # Leaking the reference of the step it uses into its own feedback.
        "leaker": beta("""\
            import inspect
            raise ValueError(inspect.getsource(double) * 50)"""),
    }


@pytest.fixture(scope="module")
def red_class(tmp_path_factory):
    base = tmp_path_factory.mktemp("red")
    root = tiny.make_kata(base / "kata")
    subs, out = base / "submissions", base / "out"
    tiny.add_student(subs, "honest")
    tiny.add_student(subs, "victim")
    for student, code in attacks(subs, out, root).items():
        tiny.add_student(subs, student, beta=code)
    # Choking discovery: a FIFO named beta.py, a folder nested 1,200 deep, a .venv before exercises/.
    choker = tiny.add_student(subs, "choker", beta=None)
    os.mkfifo(choker / "beta.py")
    deep = tiny.add_student(subs, "deep")
    nest(deep, 1200)
    venv = subs / "with_venv"
    for i in range(12_000):
        (venv / ".venv" / "lib" / f"pkg{i // 1000}").mkdir(parents=True, exist_ok=True)
        (venv / ".venv" / "lib" / f"pkg{i // 1000}" / f"m{i}.py").write_text("")
    (venv / "exercises").mkdir()
    for name, text in tiny.SOLUTIONS.items():
        (venv / "exercises" / name).write_text(text)
    before = {"subs": tree_digest(subs), "grader": tree_digest(PACKAGE_ROOT / "kata_dev"),
              "kata": tree_digest(PACKAGE_ROOT / "kata"), "packages": sorted(os.listdir(site.getsitepackages()[0]))}
    env = {**os.environ, "KATA_ROOT": str(root), "KATA_LANG": "en"}
    env.pop("PYTHONPATH", None)
    done = subprocess.run([sys.executable, "-m", "kata", "dev", "grade", str(subs), str(out), "-j", "2",
                           "--timeout-test", str(tiny.TIMEOUT), "--memory", "1500", "--lang", "en"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    outputs = tree_digest(out)
    time.sleep(4)       # the escaper's grandchild would write 3 s after its fork; grading is long over
    yield {"root": root, "subs": subs, "out": out, "run": done, "before": before, "outputs": outputs}
    unnest(deep)


def grades(red) -> dict:
    return tiny.read_csv(red["out"] / "grades.csv")


def result(red, student) -> dict:
    return json.loads((red["out"] / "results" / f"{student}.json").read_text())


ATTACKERS = ["borrower", "bender", "equals_everything", "launderer", "stub_mimic", "forger", "escaper",
             "vandal", "leaker"]


def test_the_class_is_graded_to_the_end(red_class):
    run = red_class["run"]
    assert run.returncode == 0, run.stdout + run.stderr
    assert set(grades(red_class)) >= {"honest", "victim", "choker", "deep", "with_venv", *ATTACKERS}


@pytest.mark.parametrize("student", ATTACKERS)
def test_an_attack_earns_nothing_for_the_step_it_attacks_and_costs_nothing_else(red_class, student):
    row = grades(red_class)[student]
    assert (row["alpha"], row["beta"], row["gamma"], row["score"]) == ("1", "0", "3", "4"), row


def test_the_honest_and_the_victim_keep_their_full_marks(red_class):
    rows = grades(red_class)
    assert rows["honest"]["score"] == rows["victim"]["score"] == "6"
    assert "owned" not in (red_class["out"] / "feedback" / "victim.md").read_text()


def test_submissions_grader_files_and_installed_packages_are_untouched(red_class):
    before = red_class["before"]
    assert tree_digest(red_class["subs"]) == before["subs"]
    assert tree_digest(PACKAGE_ROOT / "kata_dev") == before["grader"]
    assert tree_digest(PACKAGE_ROOT / "kata") == before["kata"]
    assert sorted(os.listdir(site.getsitepackages()[0])) == before["packages"]
    assert not Path(f"/tmp/escaped-{MARK}").exists()


def test_the_outputs_are_the_graders_own_and_nothing_changes_them_after_grading(red_class):
    assert tree_digest(red_class["out"]) == red_class["outputs"]
    assert "owned" not in (red_class["out"] / "grades.csv").read_text()


def test_nothing_an_attack_started_is_still_running(red_class):
    assert leftovers() == []


def test_choking_discovery_costs_only_the_choker(red_class):
    rows = grades(red_class)
    assert rows["choker"]["beta"] == "0" and rows["choker"]["alpha"] == "1", rows["choker"]
    assert rows["deep"]["score"] == "6"
    assert rows["with_venv"]["score"] == "6", result(red_class, "with_venv")["notes"]
    assert any("not a regular file" in note for note in result(red_class, "choker")["notes"])


def test_the_feedback_holds_no_line_of_the_reference(red_class):
    feedback = (red_class["out"] / "feedback" / "leaker.md").read_text()
    for line in tiny.SOLUTIONS["alpha.py"].splitlines():
        if len(line.strip()) >= 12:
            assert line.strip() not in feedback, feedback
    assert "ValueError" in feedback and len(feedback) < 6000


def test_the_instructor_sees_what_each_attack_tried_and_the_student_does_not(red_class):
    stopped = " ".join(result(red_class, "vandal")["attempts"]["stopped"])
    assert "victim" in stopped and ".pth" in stopped, stopped
    assert "os.fork" in " ".join(result(red_class, "escaper")["attempts"]["stopped"])
    for student in ("vandal", "escaper"):
        feedback = (red_class["out"] / "feedback" / f"{student}.md").read_text()
        assert "attempt" not in feedback.lower() and "open(" not in feedback


def test_grading_refuses_without_a_sandbox_unless_told_and_then_says_so(tmp_path):
    root = tiny.make_kata(tmp_path / "kata")
    subs = tmp_path / "subs"
    tiny.add_student(subs, "ana")
    env = {**os.environ, "KATA_ROOT": str(root), "KATA_LANG": "en", "PATH": "/nonexistent"}
    base = [sys.executable, "-m", "kata", "dev", "grade", str(subs)]
    refused = subprocess.run([*base, str(tmp_path / "out1"), "--timeout-test", str(tiny.TIMEOUT)], env=env,
                             capture_output=True, text=True, timeout=300)
    assert refused.returncode == 2 and "bubblewrap" in refused.stderr and "--no-sandbox" in refused.stderr
    assert not (tmp_path / "out1" / "grades.csv").exists()
    allowed = subprocess.run([*base, str(tmp_path / "out2"), "--no-sandbox", "--timeout-test", str(tiny.TIMEOUT)],
                             env=env, capture_output=True, text=True, timeout=300)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert tiny.read_csv(tmp_path / "out2" / "grades.csv")["ana"]["score"] == "6"
    assert "without a sandbox" in (tmp_path / "out2" / "feedback" / "ana.md").read_text()


# ------------------------------------------------------------------------------ the real kata


REAL_ATTACKS = {
    # conv2d: bend NumPy's comparison in its own process, and return zeros.
    "real_bender": ("conv2d.py", textwrap.dedent("""\
        import numpy as np
        import tensorflow as tf
        np.allclose = lambda *a, **k: True
        np.testing.assert_allclose = lambda *a, **k: None


        def conv2d(x, W, b, strides=1):
            return tf.zeros_like(tf.nn.conv2d(x, W, strides=[1, strides, strides, 1], padding="SAME"))
        """)),
    # generate_network: look for every reference it could borrow (in memory, on disk) and leak the one it uses.
    "real_borrower": ("generate_network.py", textwrap.dedent("""\
        import gc
        import inspect
        import os
        import types

        import conv2d as reference

        STEPS = {"conv2d", "maxpool2d", "fully_connected", "generate_network", "train"}


        def source():
            try:
                return inspect.getsource(reference)
            except Exception as err:
                return type(err).__name__


        def module_names():
            for found in gc.get_objects():
                if isinstance(found, types.ModuleType):
                    try:
                        yield found.__name__
                    except Exception:
                        continue


        def init_parameters(n_output=10, seed=None):
            present = sorted(set(module_names()) & STEPS)
            files = sorted(os.listdir("/opt/kata-worker/refs"))
            code = reference.conv2d.__code__.co_names
            raise ValueError(f"present: {present} files: {files} source: {source()} names: {code}")


        def generate_network(x, weights, biases, layers, drop_out=False, dropout=None):
            raise ValueError(source())
        """)),
}


@pytest.mark.slow
def test_the_real_kata_cannot_be_bent_borrowed_from_or_leaked(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    for student, (name, code) in REAL_ATTACKS.items():
        (subs / student).mkdir(parents=True)
        (subs / student / name).write_text(code)
    done = subprocess.run([sys.executable, "-m", "kata", "dev", "grade", str(subs), str(out), "-j", "2",
                           "--steps", "conv2d", "generate_network", "--lang", "en"],
                          cwd=REPO, env={**os.environ, "KATA_LANG": "en"}, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = tiny.read_csv(out / "grades.csv")
    assert rows["real_bender"]["conv2d"] == "0" and rows["real_borrower"]["generate_network"] == "0", rows
    feedback = (out / "feedback" / "real_borrower.md").read_text()
    # Only the references generate_network uses are there, in memory only: no file, no source text.
    assert "present: ['conv2d', 'fully_connected', 'maxpool2d'] files: [] source: TypeError" in feedback, feedback
    messages = [line for line in feedback.splitlines() if "raised ValueError" in line]
    assert messages and sum(map(len, messages)) <= 3500, "the submission's own text is bounded per step"
    for line in (REPO / "solutions" / "conv2d.py").read_text().splitlines():
        if len(line.strip()) >= 12 and not line.strip().startswith("#"):
            assert line.strip() not in feedback, line
