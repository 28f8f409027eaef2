"""Where a learner stands: which steps are done, failing or not started, and which comes next.

A step is *not started* while its file is still the generated stub (or still raises the stub's
`NotImplementedError` in every function it asks for); those are told apart without running a test,
so `kata status` stays quick on a fresh copy. Other steps run their public tests, and the result is
cached in `.kata/state.json` under the sha256 of everything the result depends on, so a step is
only re-run when its file, its tests or the modules it uses change. The same file remembers how
many hints of each step were shown.

Nothing here imports TensorFlow or pytest until a step's tests actually have to run.
"""

import ast
import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from kata import manifest
from kata.i18n import t
from kata.paths import exercises_dir, find_root
from kata.stubs import STUB_TAG

STATE_FILE = Path(".kata") / "state.json"
PRISTINE_DIR = Path("kata") / "pristine"   # the stubs, shipped in a student release (no solutions/)
STATE_VERSION = 1

NOT_STARTED = "not started"
DONE = "done"
FAILING = "failing"
NO_TESTS = "no tests"
UNKNOWN = "unknown"            # started, result not cached: the tests have to run to tell
UNFINISHED = (NOT_STARTED, FAILING, UNKNOWN)


@dataclass
class StepStatus:
    """What is known about one step of the learner's `exercises/`."""

    step: manifest.Step
    state: str                 # NOT_STARTED, DONE, FAILING, NO_TESTS or UNKNOWN
    passed: int = 0
    total: int = 0
    message: str = ""          # the first failure, for FAILING
    failed_test: str = ""

    @property
    def points(self) -> int:
        return self.step.points if self.state == DONE else 0


# ---------------------------------------------------------------- files


def exercise_path(step, root) -> Path:
    return exercises_dir(root) / step.filename


def test_path(step, root) -> Path:
    return Path(root) / "tests" / "steps" / f"test_{step.id}.py"


def relative(path, root) -> str:
    """`path` as the learner would type it from the kata root (forward slashes)."""
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(path)


def pristine_stub(step, root):
    """The stub text of a step: generated from solutions/, else the copy a release ships; or None."""
    root = Path(root)
    if (root / "solutions" / step.filename).is_file():
        from kata.build import stub_for

        return stub_for(step, root)
    shipped = root / PRISTINE_DIR / step.filename
    return shipped.read_text(encoding="utf-8") if shipped.is_file() else None


def _is_stub_raise(node) -> bool:
    """`raise NotImplementedError("not implemented yet: ...")`, as a generated stub writes it."""
    if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
        return False
    call = node.exc
    if not (isinstance(call.func, ast.Name) and call.func.id == "NotImplementedError" and call.args):
        return False
    first = call.args[0]
    return isinstance(first, ast.Constant) and str(first.value).startswith(STUB_TAG)


def raises_stub_everywhere(source: str, functions) -> bool:
    """Whether every function in `functions` still has the stub's raise in its own body."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    defined = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    if not functions or any(name not in defined for name in functions):
        return False
    return all(any(_is_stub_raise(stmt) for stmt in defined[name].body) for name in functions)


def is_untouched(step, root) -> bool:
    """Whether the learner has not started the step: a missing file, the stub, or stub raises only."""
    path = exercise_path(step, root)
    if not path.is_file():
        return True
    source = path.read_text(encoding="utf-8", errors="replace")
    return source == pristine_stub(step, root) or raises_stub_everywhere(source, step.functions)


# ---------------------------------------------------------------- state file


def state_path(root) -> Path:
    return Path(root) / STATE_FILE


def load_state(root) -> dict:
    """The saved state; an empty one when there is none or it cannot be read (it is only a cache)."""
    path = state_path(root)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = {}
    except (OSError, ValueError):
        print(t(f"aviso: no se pudo leer {path}; se empieza de cero",
                f"warning: could not read {path}; starting afresh"), file=sys.stderr)
        data = {}
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
        data = {}
    data.setdefault("version", STATE_VERSION)
    data.setdefault("results", {})
    data.setdefault("hints", {})
    return data


def save_state(root, state: dict) -> None:
    from kata.files import write_atomic

    write_atomic(state_path(root), json.dumps(state, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------- cache keys


def _dependency_files(step, root) -> list:
    """The files of the earlier steps a step's tests import, wherever the tests take them from."""
    from kata.impl import reference_dir

    folder = reference_dir(root) or exercises_dir(root)
    seen, order, pending = set(), [], list(step.uses)
    while pending:
        module = pending.pop(0)
        if module in seen:
            continue
        seen.add(module)
        order.append(folder / f"{module}.py")
        try:
            pending.extend(manifest.by_module(module, root).uses)
        except manifest.ManifestError:
            pass
    return order


def cache_key(step, root) -> str:
    """sha256 over the step's file, its tests, the shared conftest, the modules it uses and the
    kata's own version (a new kata may judge the same file differently)."""
    from kata import __version__

    root = Path(root)
    digest = hashlib.sha256(__version__.encode())
    files = [exercise_path(step, root), test_path(step, root), root / "conftest.py",
             *_dependency_files(step, root)]
    for path in files:
        digest.update(relative(path, root).encode())
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()


# ---------------------------------------------------------------- statuses


def _from_cache(step, entry) -> StepStatus:
    return StepStatus(step, entry["state"], entry.get("passed", 0), entry.get("total", 0),
                      entry.get("message", ""), entry.get("failed_test", ""))


def quick_status(step, root, state) -> StepStatus:
    """The status known without running tests (UNKNOWN when the tests must run)."""
    if is_untouched(step, root):
        return StepStatus(step, NOT_STARTED)
    if not test_path(step, root).is_file():
        return StepStatus(step, NO_TESTS)
    entry = state["results"].get(step.id)
    if entry and entry.get("key") == cache_key(step, root):
        return _from_cache(step, entry)
    return StepStatus(step, UNKNOWN)


def summarize(step, outcomes) -> StepStatus:
    """One step's status from its test Outcomes."""
    from kata.checking import first_problem

    mine = [o for o in outcomes if o.step == step.id]
    passed = sum(o.status == "passed" for o in mine)
    problem = first_problem(mine)
    if problem is not None:
        return StepStatus(step, FAILING, passed, len(mine), problem.message, problem.name)
    if not passed:
        why = t("no se ejecutó ningún test de este paso", "none of this step's tests ran")
        return StepStatus(step, FAILING, 0, len(mine), why)
    return StepStatus(step, DONE, passed, len(mine))


def record(status: StepStatus, root, state) -> None:
    """Remember a status from a run against exercises/ under the current cache key."""
    state["results"][status.step.id] = {
        "key": cache_key(status.step, root), "state": status.state, "passed": status.passed,
        "total": status.total, "message": status.message, "failed_test": status.failed_test,
    }


def run_steps(steps, impl="exercises", root=None) -> list:
    """Run the public tests of `steps` in one pytest session; one StepStatus each."""
    from kata.checking import run_tests

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("MPLBACKEND", "Agg")
    outcomes = run_tests([s.id for s in steps], impl, root=root)
    return [summarize(s, outcomes) for s in steps]


def statuses(root=None, *, run=True, on_run=None) -> list:
    """Every step's status, in course order; runs (and caches) the tests of changed steps.

    With `run=False` the steps whose result is not cached stay UNKNOWN. `on_run(steps)` is
    called before tests run, so a command can say why it pauses.
    """
    root = Path(root or find_root())
    state = load_state(root)
    found = [quick_status(s, root, state) for s in manifest.steps(root)]
    unknown = [st.step for st in found if st.state == UNKNOWN]
    if unknown and run:
        if on_run:
            on_run(unknown)
        ran = {st.step.id: st for st in run_steps(unknown, root=root)}
        for st in ran.values():
            record(st, root, state)
        save_state(root, state)
        found = [ran.get(st.step.id, st) for st in found]
    return found


def next_step(found, after=None):
    """The status of the step to work on, or None when all are done.

    The first unfinished step after `after` (a step id), then from the start; with no `after`,
    the first unfinished one. Steps without public tests are passed over.
    """
    order = list(found)
    if after is not None:
        index = next((i for i, st in enumerate(order) if st.step.id == after), -1)
        order = order[index + 1:] + order[:index + 1]
    return next((st for st in order if st.state in UNFINISHED), None)


def first_unfinished(root) -> manifest.Step:
    """The step `kata check` works on by default, found without running any test.

    A started step whose result is not cached counts as unfinished: checking it tells. When every
    step is done, the last one.
    """
    found = statuses(root, run=False)
    status = next_step(found)
    return status.step if status else found[-1].step


# ---------------------------------------------------------------- hints


def hint(step, n=None, lang=None, root=None):
    """(number, count, text) of a hint of `step`: the N-th, or the next one not yet shown.

    Remembers the highest hint shown. Raises ValueError naming the valid range for a bad N.
    """
    root = Path(root or find_root())
    hints = step.hints(lang)
    if not hints:
        raise ValueError(t(f"el paso {step.id} no tiene pistas", f"step {step.id} has no hints", lang))
    state = load_state(root)
    shown = int(state["hints"].get(step.id, 0))
    number = min(shown + 1, len(hints)) if n is None else n
    if not 1 <= number <= len(hints):
        raise ValueError(t(f"el paso {step.id} tiene {len(hints)} pistas: elige N entre 1 y {len(hints)}",
                           f"step {step.id} has {len(hints)} hints: choose N from 1 to {len(hints)}", lang))
    state["hints"][step.id] = max(shown, number)
    save_state(root, state)
    return number, len(hints), hints[number - 1]


# ---------------------------------------------------------------- failure digests

_LOCATION = re.compile(r"^(?P<file>[^\s:][^:]*\.py):(?P<line>\d+): (?P<what>\S.*)$")


def digest(message: str, max_lines: int = 12) -> str:
    """A failure message without the traceback wall: pytest's `E` lines and where it happened.

    Messages the tests word for the learner (a Feedback or a stub's error) have no `E` lines and
    come back as they are, cut to `max_lines`.
    """
    lines = message.strip().splitlines()
    errors = [re.sub(r"^E\s?", "", line).rstrip() for line in lines if re.match(r"^E(\s|$)", line)]
    if not errors:
        return _cut(lines, max_lines)
    places = [m for m in map(_LOCATION.match, lines) if m]
    if places:
        where = places[-1]
        errors.append(t(f"(en {where['file']}, línea {where['line']})",
                        f"(at {where['file']}, line {where['line']})"))
    return _cut([e.strip() for e in errors], max_lines)


def _cut(lines, max_lines) -> str:
    if len(lines) <= max_lines:
        return "\n".join(lines)
    return "\n".join([*lines[:max_lines], "…"])


# ---------------------------------------------------------------- watch


def snapshot(folder) -> dict:
    """{relative path: (mtime_ns, size)} of the Python files under `folder`."""
    folder = Path(folder)
    found = {}
    for path in sorted(folder.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        try:
            info = path.stat()
        except FileNotFoundError:  # removed while we looked
            continue
        found[path.relative_to(folder).as_posix()] = (info.st_mtime_ns, info.st_size)
    return found


def changed_paths(before: dict, after: dict) -> list:
    """The paths added, removed or modified between two snapshots."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def watch_files(folder, on_change, *, interval=1.0, sleep=None, take=snapshot, polls=None) -> None:
    """Call `on_change(changed)` once at the start (with []) and then after every change.

    Polls every `interval` seconds; returns after `polls` polls, or never when it is None (the
    caller stops it with Ctrl-C). A change made while `on_change` runs is seen at the next poll,
    because the snapshot compared against is the one taken before the call.
    """
    import time

    sleep = sleep or time.sleep
    last = None
    count = 0
    while polls is None or count < polls:
        current = take(folder)
        if current != last:
            on_change([] if last is None else changed_paths(last, current))
            last = current
        count += 1
        sleep(interval)


# ---------------------------------------------------------------- reset


def backup(path: Path, stamp: str) -> Path:
    """Copy `path` to `<name>.bak-<stamp>` (or `-2`, `-3`… if taken); never overwrites a file."""
    data = Path(path).read_bytes()
    for n in range(1, 1000):
        target = path.with_name(f"{path.name}.bak-{stamp}" + ("" if n == 1 else f"-{n}"))
        try:
            with open(target, "xb") as handle:   # "x": fails rather than replace an existing backup
                handle.write(data)
            return target
        except FileExistsError:
            continue
    raise FileExistsError(f"{path}: too many backups named {path.name}.bak-{stamp}*; remove some")


def forget(step, root) -> None:
    """Drop the cached result of a step (after its file was replaced)."""
    state = load_state(root)
    if state["results"].pop(step.id, None) is not None:
        save_state(root, state)
