"""The one way to run step suites: the pytest command line and a recorder of one Outcome per test.

`kata check`, `kata status`, the notebooks' check cells, the nbgrader cells, the batch grader's
judge and the maintainers' proof tests all run `tests/steps` through `run`, so they collect the
same tests, word failures the same and apply the same verdict (`kata.judging.verdict`).
"""

import contextlib
import io
from pathlib import Path

from kata.judging.limits import MESSAGE_CHARS, OUTPUT_CHARS, cut
from kata.judging.outcome import Outcome
from kata.paths import find_root, suite_path

# Folders of step suites: the public tests, and an instructor's hidden ones (never in a release).
SUITE_FOLDERS = ("steps", "hidden")
PLUGIN = "kata.judging.plugin"


def uses_tensorflow(path) -> bool:
    """Whether a test file imports TensorFlow or Keras (read as text: nothing is imported to tell)."""
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    return "import tensorflow" in text or "import keras" in text


def step_of(path) -> str:
    """The step id of a suite file: tests/steps/test_conv2d.py → conv2d."""
    return Path(str(path)).stem.removeprefix("test_")


def _message(report) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2])
    return cut(str(report.longrepr), MESSAGE_CHARS)


class Recorder:
    """A pytest plugin keeping one Outcome per test (and per module that failed to collect).

    `listener(event, data)`, when given, hears "collected" (the list of {nodeid, step, name}),
    "start" (a nodeid) and "outcome" (an Outcome) as they happen: the grader streams them.
    """

    def __init__(self, listener=None):
        self.outcomes = []
        self.collected = []
        self.exitstatus = None      # pytest's own (3: an internal error of the judge)
        self.listener = listener or (lambda event, data: None)

    def pytest_collection_finish(self, session):
        self.collected = [{"nodeid": item.nodeid, "step": step_of(item.location[0]), "name": item.location[2]}
                          for item in session.items]
        self.listener("collected", self.collected)

    def pytest_runtest_logstart(self, nodeid, location):
        self.listener("start", nodeid)

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or (report.when == "setup" and not report.passed):
            if report.when == "call":
                status = report.outcome
            else:
                status = "skipped" if report.skipped else "error"
            properties = dict(report.user_properties)
            fault = properties.get("fault")
            if fault and fault.get("kind") == "timeout":
                status = "timeout"
            output = "".join(text for _, text in report.sections if text)
            outcome = Outcome(step_of(report.location[0]), report.location[2], status,
                              "" if report.passed else _message(report), round(report.duration, 3),
                              report.nodeid, cut(output, OUTPUT_CHARS), fault,
                              cut(str(properties.get("detail", "")), MESSAGE_CHARS))
            self.outcomes.append(outcome)
            self.listener("outcome", outcome)

    def pytest_collectreport(self, report):
        # A suite that cannot be imported yields no test reports: keep its error as an outcome.
        if report.failed:
            outcome = Outcome(step_of(report.nodeid.split("::")[0]), "collection", "error", _message(report),
                              nodeid=report.nodeid)
            self.outcomes.append(outcome)
            self.listener("outcome", outcome)


def pytest_args(step_ids, impl="exercises", *, root=None, hidden=False, extra=()) -> list:
    """The pytest command line for the suites of `step_ids`, in that order; with `hidden`, each
    step's public suite is followed by the instructor's hidden one (tests/hidden/), when it has one."""
    root = Path(root or find_root())
    files = []
    for step_id in step_ids:
        files.append(str(suite_path(step_id, root)))
        secret = root / "tests" / "hidden" / f"test_{step_id}.py"
        if hidden and secret.is_file():
            files.append(str(secret))
    return [*files, f"--impl={impl}", "-q", "-p", "no:cacheprovider", f"--rootdir={root}",
            "-c", str(root / "pyproject.toml"), *extra]


def run(step_ids, impl="exercises", *, root=None, listener=None, hidden=False, extra=(), quiet=True,
        recorder=None) -> list:
    """Run the suites of `step_ids` against an implementation in this process; their Outcomes."""
    import pytest

    recorder = recorder or Recorder(listener)
    args = pytest_args(step_ids, impl, root=root, hidden=hidden, extra=extra)
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink) if quiet else contextlib.nullcontext():
        recorder.exitstatus = int(pytest.main(args, plugins=[recorder]))
    return recorder.outcomes
