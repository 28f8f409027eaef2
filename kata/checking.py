"""Run the step tests in-process and collect one outcome per test.

Used by `kata check`, `kata status`, `kata.check()` in notebooks and the graders, so that every
way of checking a step runs the same tests of `tests/steps/` and words failures the same.
"""

import contextlib
import io
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


def check_step_verbose(step_id=None, impl="exercises", lang=None, root=None) -> bool:
    """Run one step's tests and print a short digest; the first step when none is named."""
    step = manifest.get(step_id, root) if step_id else manifest.steps(root)[0]
    outcomes = run_tests([step.id], impl, root=root)
    failed = [o for o in outcomes if o.status in ("failed", "error")]
    passed = sum(o.status == "passed" for o in outcomes)
    if not outcomes:
        print(t(f"No se encontraron tests para el paso {step.id}.", f"No tests found for step {step.id}.", lang))
        return False
    if failed:
        print(t(f"✗ {step.id}: {passed}/{len(outcomes)} tests pasan. Primer fallo ({failed[0].name}):",
                f"✗ {step.id}: {passed}/{len(outcomes)} tests pass. First failure ({failed[0].name}):", lang))
        print(failed[0].message)
        return False
    print(t(f"✓ {step.id}: los {passed} tests pasan.", f"✓ {step.id}: all {passed} tests pass.", lang))
    return True
