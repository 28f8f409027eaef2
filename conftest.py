"""Shared pytest set-up: `--impl`, a marker per step, and short learner-facing failures."""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from kata import impl, manifest, quiet  # noqa: E402
from kata.feedback import Feedback  # noqa: E402
from kata.stubs import is_stub_error  # noqa: E402
from kata.suite import step_of  # noqa: E402

SUITE_FOLDERS = ("steps", "hidden")

ROOT = Path(__file__).resolve().parent

# Mutants and alternatives are whole step modules that the proof tests load on purpose; pytest
# must never collect them as tests, whatever their names.
collect_ignore_glob = ["tests/project/mutants/*", "tests/project/alternatives/*"]


def pytest_addoption(parser):
    parser.addoption(
        "--impl", default="exercises",
        help="implementation to test: exercises (default), solutions, or the path of a folder of step modules",
    )


def pytest_configure(config):
    for step in manifest.steps(ROOT):
        config.addinivalue_line("markers", f"{step.id}: tests of the step '{step.id}' ({step.title('en')})")
    config.addinivalue_line("markers", "slow: takes more than a few seconds")


def pytest_collect_file(file_path, parent):
    """Import TensorFlow quietly before the first suite that uses it (see kata/quiet.py)."""
    if file_path.suffix == ".py" and file_path.name.startswith("test_") and "tensorflow" not in sys.modules:
        text = file_path.read_text(encoding="utf-8", errors="replace")
        if "import tensorflow" in text or "import keras" in text:
            quiet.tensorflow()


def pytest_collection_modifyitems(items):
    """Mark every test of a step suite (tests/steps/ or tests/hidden/test_<step>.py) with its step."""
    ids = {s.id for s in manifest.steps(ROOT)}
    for item in items:
        path = Path(str(item.fspath))
        name = step_of(path)
        if path.parent.name in SUITE_FOLDERS and name in ids:
            item.add_marker(getattr(pytest.mark, name))


@pytest.fixture(scope="session")
def impl_dir(request) -> Path:
    """The folder of step modules under test."""
    try:
        return impl.resolve(request.config.getoption("--impl"), ROOT)
    except impl.StepUnavailable as err:
        pytest.exit(str(err), returncode=4)


@pytest.fixture(scope="session")
def load_step(impl_dir):
    """`load_step(step_id)` → the step's module under test, earlier steps from the reference."""
    def load(step_id):
        try:
            return impl.load_step(step_id, impl_dir, reference_deps=True, root=ROOT)
        except impl.StepUnavailable as err:
            raise Feedback(str(err)) from None
    return load


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Replace the traceback of a stub or a Feedback failure by its message alone."""
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is None or report.passed:
        return
    exc = call.excinfo.value
    if is_stub_error(exc) or isinstance(exc, Feedback):
        report.longrepr = str(exc)


@pytest.fixture(scope="session")
def reference_step(impl_dir):
    """`reference_step(step_id)` → the reference module (the learner's own in a student release)."""
    def load(step_id):
        folder = impl.reference_dir(ROOT) or impl_dir
        try:
            return impl.load_step(step_id, folder, reference_deps=True, root=ROOT)
        except impl.StepUnavailable as err:
            raise Feedback(str(err)) from None
    return load


def pytest_sessionfinish(session, exitstatus):
    """With KATA_FORBID_SKIPS=1 (CI sets it) a skipped test fails the run: CI has the real data,
    Chromium and everything else, so a skip there means something is missing."""
    if not os.environ.get("KATA_FORBID_SKIPS") or exitstatus != 0:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        for report in skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
            reporter.write_line(f"KATA_FORBID_SKIPS: skipped {report.nodeid}: {reason}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
