"""Run step suites against altered implementations: how the kata proves its own tests.

A *variant* is one file `tests/project/<kind>/<step_id>/<short_name>.py` (kind: `mutants` or
`alternatives`): either a complete replacement of that step's module, or — for a mistake that
touches a line or two of a long module — a docstring and a list `EDITS` of (old, new) text
replacements applied to the reference module with its solution markers removed (each `old` must
match it exactly once, so a mutant that no longer fits the solution fails loudly). To test it, a
temporary folder is filled with a copy of `solutions/` in which the step's module is replaced by
the variant, and the step's suite runs against that folder (`--impl <folder>`).

Importing TensorFlow costs seconds, so all variants of a kind run in ONE child process: this module
is also a script that runs each suite in-process with `kata.judging.suite.run` (kata/impl.py caches modules
by path and content, so every temporary folder loads fresh) and prints one JSON line per run:

    python -m kata_dev.proof variants mutants [--stop-first] [--only=conv2d,data]
    python -m kata_dev.proof suites exercises [--only=conv2d]
    python -m kata_dev.proof folders conv2d=/tmp/a train=/tmp/b
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ROOT / "tests" / "project"
KINDS = ("mutants", "alternatives", "corpus")
MARK = "@@proof "  # prefix of the driver's JSON lines, so stray prints cannot confuse the parent
DRIVER_TIMEOUT_S = 1200


@dataclass(frozen=True)
class Variant:
    """One mutant or alternative file."""

    kind: str
    step_id: str
    path: Path

    @property
    def name(self) -> str:
        return f"{self.step_id}/{self.path.stem}"

    @property
    def idea(self) -> str:
        """The first line of the file's docstring: the mistake, or the other valid way."""
        doc = ast.get_docstring(ast.parse(self.path.read_text(encoding="utf-8"))) or ""
        return doc.strip().splitlines()[0] if doc.strip() else ""


def variants(kind: str) -> list:
    """Every variant file of `kind`, sorted by step folder and file name."""
    folder = PROJECT / kind
    if not folder.is_dir():
        return []
    return [Variant(kind, step_dir.name, path)
            for step_dir in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
            for path in sorted(step_dir.glob("*.py")) if not path.name.startswith("_")]


def suite_path(step_id: str) -> Path:
    from kata.paths import suite_path as path

    return path(step_id, ROOT)


def module_of(step_id: str) -> str:
    from kata import manifest
    return manifest.get(step_id, ROOT).module


def _assigned(tree: ast.Module, name: str):
    """The literal value of a top-level `name = ...`, or None."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [name]:
            return ast.literal_eval(node.value)
    return None


def variant_source(variant: Variant, _seen: tuple = ()) -> str:
    """The full module text a variant stands for: the file itself, or, when it holds
    `EDITS = [(old, new), ...]`, those replacements applied to the reference solution (or to
    `BASE`, another variant's file in the same folder, when the pattern differs from that one's)."""
    text = variant.path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    edits, base = _assigned(tree, "EDITS"), _assigned(tree, "BASE")
    if edits is None:
        if base is not None:
            raise ValueError(f"{variant.path}: BASE = {base!r} needs EDITS = [(old, new), ...] to apply to it")
        return text
    from kata.stubs import BEGIN, END

    if base is None:
        reference = ROOT / "solutions" / f"{module_of(variant.step_id)}.py"
        source = reference.read_text(encoding="utf-8")
    else:
        reference = variant.path.parent / str(base)
        if Path(str(base)).name != base or not reference.is_file() or reference in (variant.path, *_seen):
            raise ValueError(f"{variant.path}: BASE = {base!r} must name another file of the same folder "
                             f"(and no chain of BASEs may come back to a file)")
        source = variant_source(Variant(variant.kind, variant.step_id, reference), (*_seen, variant.path))
    source = "".join(line for line in source.splitlines(keepends=True)
                     if not line.strip().startswith((BEGIN, END)))
    for number, (old, new) in enumerate(edits, start=1):
        found = source.count(old)
        if found != 1:
            raise ValueError(f"{variant.path}: edit {number} matches {reference.name} {found} times, not once; "
                             f"update the variant to the current {reference.name}")
        source = source.replace(old, new)
    return source


def make_impl(variant: Variant, folder: Path) -> Path:
    """`folder` = solutions/ with the variant's step module replaced by the variant."""
    shutil.copytree(ROOT / "solutions", folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / f"{module_of(variant.step_id)}.py").write_text(variant_source(variant), encoding="utf-8")
    return folder


# --- the child process -----------------------------------------------------------------------

def run_suite(step_id: str, impl, stop_first=False) -> dict:
    """Run tests/steps/test_<step_id>.py against `impl` in this process, through kata.judging.suite."""
    from kata.judging import suite

    start = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):
        outcomes = suite.run([step_id], impl, root=ROOT, extra=["-x"] if stop_first else [])
    tests = [{"test": o.name, "status": o.status, "message": o.message} for o in outcomes if o.name != "collection"]
    errors = [o.message for o in outcomes if o.name == "collection"]
    return {"tests": tests, "collect_errors": errors, "seconds": round(time.perf_counter() - start, 2)}


def _emit(key: str, result: dict) -> None:
    print(MARK + json.dumps({"key": key, **result}), flush=True)


def _run_variants(kind: str, stop_first: bool, only) -> None:
    with tempfile.TemporaryDirectory(prefix=f"kata-{kind}-") as tmp:
        for number, variant in enumerate(v for v in variants(kind) if not only or v.step_id in only):
            if not suite_path(variant.step_id).is_file():
                _emit(variant.name, {"tests": [], "collect_errors": ["no suite for this step"]})
                continue
            folder = make_impl(variant, Path(tmp) / f"{number:03d}-{variant.step_id}-{variant.path.stem}")
            _emit(variant.name, run_suite(variant.step_id, folder, stop_first))


def _run_folders(pairs) -> None:
    """`step=folder` pairs: each step's suite against its folder, every test run (no stopping)."""
    for pair in pairs:
        step_id, folder = pair.split("=", 1)
        _emit(f"{step_id}@{Path(folder).name}", run_suite(step_id, folder))


def _run_suites(impl: str, only) -> None:
    from kata import manifest
    for step in manifest.steps(ROOT):
        if suite_path(step.id).is_file() and (not only or step.id in only):
            _emit(step.id, run_suite(step.id, impl))


def main(argv) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.path.insert(0, str(ROOT))
    mode, target, *flags = argv
    only = {name for flag in flags if flag.startswith("--only=") for name in flag[7:].split(",") if name}
    if mode == "variants":
        _run_variants(target, "--stop-first" in flags, only)
    elif mode == "suites":
        _run_suites(target, only)
    elif mode == "folders":
        _run_folders([target, *(f for f in flags if "=" in f and not f.startswith("--"))])
    else:
        raise SystemExit(f"unknown mode {mode!r}: use 'variants KIND', 'suites IMPL' or 'folders STEP=DIR ...'")
    return 0


# --- the parent side -------------------------------------------------------------------------

@dataclass
class DriverRun:
    """What one child process reported: {key: result}, plus its stderr for diagnosis."""

    results: dict
    returncode: int
    stderr: str

    def result(self, key: str) -> dict:
        """The result for `key`, or an AssertionError telling why the child never reported it."""
        if key not in self.results:
            raise AssertionError(f"the proof driver reported nothing for {key} "
                                 f"(exit status {self.returncode}); its stderr ends with:\n{self.stderr[-3000:]}")
        return self.results[key]


def drive(*args, lang="en") -> DriverRun:
    """Run this file as a child process with `args` (messages in `lang`); parse its JSON lines."""
    env = {**os.environ, "KATA_LANG": lang, "TF_CPP_MIN_LOG_LEVEL": "2", "MPLBACKEND": "Agg",
           "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("KATA_ROOT", None)
    try:
        done = subprocess.run([sys.executable, "-m", "kata_dev.proof", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=DRIVER_TIMEOUT_S)
    except subprocess.TimeoutExpired as err:
        out = err.stdout.decode() if isinstance(err.stdout, bytes) else (err.stdout or "")
        return DriverRun(_parse(out), -9, f"timed out after {DRIVER_TIMEOUT_S} s")
    return DriverRun(_parse(done.stdout), done.returncode, done.stderr)


def _parse(stdout: str) -> dict:
    results = {}
    for line in stdout.splitlines():
        if line.startswith(MARK):
            record = json.loads(line[len(MARK):])
            results[record.pop("key")] = record
    return results


@functools.lru_cache(maxsize=None)
def variant_results(kind: str) -> DriverRun:
    """All variants of `kind`, run once per test session. Mutants and the corpus stop at their first
    failure (for the corpus, the first message is the one that matters)."""
    return drive("variants", kind, *(["--stop-first"] if kind in ("mutants", "corpus") else []))


@functools.lru_cache(maxsize=None)
def suite_results(impl: str) -> DriverRun:
    """Every existing step suite run against `impl`, once per test session."""
    return drive("suites", impl)


def describe(result: dict) -> str:
    """A short listing of a suite run's outcomes, for assertion messages."""
    lines = [f"  {t['status']:7} {t['test']}" + (f"\n{_indent(t['message'])}" if t["message"] else "")
             for t in result["tests"]]
    lines += [f"  collection error:\n{_indent(e)}" for e in result["collect_errors"]]
    return "\n".join(lines) or "  (no test ran)"


def _indent(text: str) -> str:
    return "\n".join("      " + line for line in text.splitlines()[:20])


# --- the judgements: None when a proof holds, else what is wrong --------------------------------

def _ran(name: str, result: dict):
    report = describe(result)
    if result["collect_errors"]:
        return f"{name}: the suite did not even collect:\n{report}"
    if not result["tests"]:
        return f"{name}: no test ran:\n{report}"
    return None


def stub_problem(step, result: dict):
    """Every test of the step fails on its stub, saying "not implemented yet: fill in exercises/<file>"."""
    from kata.stubs import STUB_TAG

    wrong = [t for t in result["tests"] if t["status"] != "failed" or STUB_TAG not in t["message"]
             or f"exercises/{step.filename}" not in t["message"]]
    if _ran(step.id, result) or wrong:
        return _ran(step.id, result) or (
            f"{step.id}: on the stub, every test should fail with '{STUB_TAG}: fill in exercises/{step.filename}'; "
            f"these did not:\n{describe({'tests': wrong, 'collect_errors': []})}")
    return None


def solution_problem(step, result: dict):
    """Every test of the step passes on the reference solution."""
    not_passed = [t for t in result["tests"] if t["status"] != "passed"]
    if _ran(step.id, result) or not_passed:
        return _ran(step.id, result) or f"{step.id}: the reference solution does not pass:\n{describe(result)}"
    return None


def mutant_problem(mutant: Variant, result: dict):
    """The mutant makes some test of its step fail (not a collection error), with a message."""
    failed = [t for t in result["tests"] if t["status"] in ("failed", "error")]
    if _ran(mutant.name, result):
        return _ran(mutant.name, result)
    if not failed:
        return f"{mutant.name} ({mutant.idea}) survived: every test passed:\n{describe(result)}"
    if not failed[0]["message"].strip():
        return f"{mutant.name}: the failing test gave no message:\n{describe(result)}"
    return None


def alternative_problem(alternative: Variant, result: dict):
    """The alternative passes every test of its step."""
    not_passed = [t for t in result["tests"] if t["status"] != "passed"]
    if _ran(alternative.name, result) or not_passed:
        return _ran(alternative.name, result) or (
            f"{alternative.name} ({alternative.idea}) was rejected:\n{describe(result)}")
    return None


def expected_phrase(case: Variant):
    """A corpus case's EXPECT: the phrase its first failure must hold, or None for a correct way."""
    for node in ast.parse(case.path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["EXPECT"]:
            return ast.literal_eval(node.value)
    raise ValueError(f"{case.path}: a corpus case needs EXPECT = 'a phrase of its first message' (or None)")


def corpus_problem(case: Variant, result: dict):
    """A correct case passes its whole suite; a wrong one fails, and its first message names its mistake."""
    phrase = expected_phrase(case)
    if phrase is None:
        return alternative_problem(case, result)
    failed = [t for t in result["tests"] if t["status"] != "passed"]
    if _ran(case.name, result) or not failed:
        return _ran(case.name, result) or f"{case.name} ({case.idea}) passed although it is wrong:\n{describe(result)}"
    if phrase not in failed[0]["message"]:
        return (f"{case.name}: the first message a learner reads does not say {phrase!r}:\n"
                f"{_indent(failed[0]['message'])}")
    return None


def verdicts(run: DriverRun) -> dict:
    """{key: ((test, status), ...)} of one driver run: what must not change from run to run."""
    return {key: tuple((t["test"], t["status"]) for t in result["tests"]) + tuple(result["collect_errors"][:1])
            for key, result in run.results.items()}


def proof_round(stop_first: bool = False) -> dict:
    """One round in fresh processes: every suite on the solutions, every mutant (only up to its first
    failure when `stop_first`, as the proof tests run them) and every alternative."""
    return {"solutions": drive("suites", "solutions"),
            "mutants": drive("variants", "mutants", *(["--stop-first"] if stop_first else [])),
            "alternatives": drive("variants", "alternatives")}


def session_round() -> dict:
    """The round this test session's proofs ran anyway (cached), in `proof_round(stop_first=True)`'s form."""
    return {"solutions": suite_results("solutions"), "mutants": variant_results("mutants"),
            "alternatives": variant_results("alternatives")}


def nondeterministic(rounds: int, log=print, first_round=None, stop_first: bool = False) -> list:
    """Run every suite on the solutions, and every mutant and alternative, `rounds` times, each round
    in fresh processes; the variants whose verdicts were not the same every time. `first_round`, a
    round already run the same way (e.g. `session_round()`), counts as round 1."""
    runs = {}
    for number in range(1, rounds + 1):
        log(f"round {number}/{rounds} …")
        done = first_round if number == 1 and first_round is not None else proof_round(stop_first)
        for name in ("solutions", "mutants", "alternatives"):
            for key, verdict in verdicts(done[name]).items():
                runs.setdefault(f"{name}: {key}", []).append(verdict)
    return [f"{key}: the verdicts differ between runs ({len(set(found))} different outcomes in {len(found)} runs)"
            for key, found in sorted(runs.items()) if len(set(found)) > 1 or len(found) != rounds]


def disproved(root=None, log=print) -> list:
    """Run every proof (stubs, solutions, mutants, alternatives); the problems found, if any."""
    from kata import manifest

    found = []
    for impl, judge in (("exercises", stub_problem), ("solutions", solution_problem)):
        log(f"running every suite on {impl}/ …")
        run = suite_results(impl)
        found += [judge(step, run.result(step.id)) for step in manifest.steps(ROOT) if suite_path(step.id).is_file()]
    for kind, judge in (("mutants", mutant_problem), ("alternatives", alternative_problem), ("corpus", corpus_problem)):
        log(f"running the {kind} …")
        run = variant_results(kind)
        found += [judge(variant, run.result(variant.name)) for variant in variants(kind)]
    return [problem for problem in found if problem]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
