"""Shared pytest set-up: the judge (`kata.judging.plugin`: `--impl`, the step modules in a worker, messages
for learners), a marker per step, and CI's rule that a skipped test fails the run."""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from kata import manifest, quiet  # noqa: E402
from kata.judging.suite import SUITE_FOLDERS, step_of, uses_tensorflow  # noqa: E402

ROOT = Path(__file__).resolve().parent
pytest_plugins = ["kata.judging.plugin"]

# Mutants, alternatives and the corpus are whole step modules that the proof tests load on purpose; pytest
# must never collect them as tests, whatever their names.
collect_ignore_glob = ["tests/project/mutants/*", "tests/project/alternatives/*", "tests/project/corpus/*"]


def pytest_configure(config):
    for step in manifest.steps(ROOT):
        config.addinivalue_line("markers", f"{step.id}: tests of the step '{step.id}' ({step.title('en')})")
    config.addinivalue_line("markers", "slow: takes more than a few seconds")


def pytest_collect_file(file_path, parent):
    """Import TensorFlow quietly before the first suite that uses it (see kata/quiet.py)."""
    if file_path.suffix == ".py" and file_path.name.startswith("test_") and "tensorflow" not in sys.modules:
        if uses_tensorflow(file_path):
            quiet.tensorflow()


def pytest_collection_modifyitems(items):
    """Mark every test of a step suite (tests/steps/ or tests/hidden/test_<step>.py) with its step."""
    ids = {s.id for s in manifest.steps(ROOT)}
    for item in items:
        path = Path(str(item.fspath))
        name = step_of(path)
        if path.parent.name in SUITE_FOLDERS and name in ids:
            item.add_marker(getattr(pytest.mark, name))


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
