"""Run the step tests in-process and collect one outcome per test.

Used by `kata check`, `kata status`, `kata.check()` in notebooks and the graders, so that every
way of checking a step runs the same tests of `tests/steps/` and words failures the same.
"""

import contextlib
import io
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from kata import manifest
from kata.i18n import t
from kata.paths import find_root


@dataclass
class Outcome:
    """One test's result. status: passed, failed, error or skipped."""

    step: str
    name: str
    status: str
    message: str = ""
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


class _Collector:
    """A pytest plugin that keeps one Outcome per test."""

    def __init__(self, step_ids):
        self.step_ids = step_ids
        self.outcomes = []

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or (report.when == "setup" and not report.passed):
            status = report.outcome if report.when == "call" else ("skipped" if report.skipped else "error")
            message = "" if report.passed else _message(report)
            step = Path(report.location[0]).stem.removeprefix("test_")
            self.outcomes.append(Outcome(step, report.location[2], status, message, report.duration))

    def pytest_collectreport(self, report):
        # A test file that cannot be imported yields no test reports: keep its error as an outcome.
        if report.failed:
            step = Path(report.nodeid.split("::")[0]).stem.removeprefix("test_")
            self.outcomes.append(Outcome(step, "collection", "error", _message(report)))


def _message(report) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        return report.longrepr[2]
    text = str(report.longrepr)
    return text if len(text) < 4000 else text[:4000] + "\n…"


def run_tests(step_ids, impl="exercises", *, root=None, quiet=True, extra_args=()) -> list:
    """Run the tests of `step_ids` against an implementation; returns their Outcomes."""
    import pytest

    root = Path(root or find_root())
    files = [str(root / "tests" / "steps" / f"test_{sid}.py") for sid in step_ids]
    collector = _Collector(step_ids)
    args = [*files, f"--impl={impl}", "-q", "-p", "no:cacheprovider", f"--rootdir={root}",
            "-c", str(root / "pyproject.toml"), *extra_args]
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink) if quiet else contextlib.nullcontext():
        pytest.main(args, plugins=[collector])
    return collector.outcomes


def first_problem(outcomes):
    """The first test that did not pass (failed, error or skipped), or None when all passed.

    A skip counts as a problem: a step is done only when its tests ran and passed, so code
    that calls pytest.skip() cannot pass a step, in `kata check` or in the nbgrader cells.
    """
    for outcome in outcomes:
        if outcome.status != "passed":
            return outcome
    return None


def digest(step, outcomes, lang=None) -> tuple:
    """(passed, text): whether the step passed, and a short report of its outcomes."""
    passed = sum(o.status == "passed" for o in outcomes)
    if not outcomes:
        return False, t(f"No se encontraron tests para el paso {step.id}.", f"No tests found for step {step.id}.", lang)
    problem = first_problem(outcomes)
    if problem is None:
        return True, t(f"✓ {step.id}: los {passed} tests pasan.", f"✓ {step.id}: all {passed} tests pass.", lang)
    head = t(f"✗ {step.id}: {passed}/{len(outcomes)} tests pasan. Primer fallo ({problem.name}):",
             f"✗ {step.id}: {passed}/{len(outcomes)} tests pass. First failure ({problem.name}):", lang)
    return False, f"{head}\n{problem.message}"


def check_step_verbose(step_id=None, impl="exercises", lang=None, root=None) -> bool:
    """Run one step's tests and print a short digest; the first step when none is named."""
    step = manifest.get(step_id, root) if step_id else manifest.steps(root)[0]
    saved = os.environ.get("KATA_LANG")
    if lang:  # the tests' own messages follow KATA_LANG: keep the whole digest in one language
        os.environ["KATA_LANG"] = lang
    try:
        ok, text = digest(step, run_tests([step.id], impl, root=root), lang)
    finally:
        if saved is None:
            os.environ.pop("KATA_LANG", None)
        else:
            os.environ["KATA_LANG"] = saved
    print(text)
    return ok
