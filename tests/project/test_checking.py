"""The one rule for "this step passes", shared by `kata check`, `kata status`, the nbgrader cells and the grader."""

from pathlib import Path

import pytest

from kata import impl, manifest
from kata.judging.suite import Outcome
from kata.judging.verdict import first_problem, summary

STEP = manifest.get("conv2d")
REPO = Path(__file__).resolve().parents[2]


def outcome(status, name="test_x", message=""):
    return Outcome(STEP.id, name, status, message)


def test_a_step_whose_tests_all_pass_is_done():
    ok, text = summary(STEP, [outcome("passed"), outcome("passed")], lang="en")
    assert ok and "all 2 tests pass" in text


def test_a_failure_is_reported_with_its_message():
    ok, text = summary(STEP, [outcome("passed"), outcome("failed", "test_y", "expected (1, 28, 28, 32)")], lang="en")
    assert not ok
    assert "1 of 2 tests pass" in text and "test_y" in text and "expected (1, 28, 28, 32)" in text


def test_skipped_tests_never_pass_a_step_so_code_that_calls_pytest_skip_earns_nothing():
    skipped = [outcome("skipped", "test_a", "Skipped: nothing to see"), outcome("skipped", "test_b")]
    ok, text = summary(STEP, skipped, lang="en")
    assert not ok
    assert first_problem(skipped).name == "test_a"
    assert "nothing to see" in text


def test_a_step_with_no_tests_is_not_done():
    ok, text = summary(STEP, [], lang="en")
    assert not ok and "No tests found" in text


def test_asking_for_the_solutions_in_a_copy_without_them_says_it_is_the_student_release(tmp_path, monkeypatch):
    (tmp_path / "kata").mkdir()
    monkeypatch.setenv("KATA_LANG", "en")
    with pytest.raises(impl.StepUnavailable, match="student release"):
        impl.resolve("solutions", tmp_path)


def _config(*args, rootdir=None):
    """The little of pytest's config that `judge._preload` reads."""
    from types import SimpleNamespace
    root = rootdir or REPO
    return SimpleNamespace(args=[str(a) for a in args], rootpath=root, getini=lambda name: ["tests"],
                           invocation_params=SimpleNamespace(dir=root))


def test_the_zygote_imports_tensorflow_early_only_for_suites_that_use_it():
    from kata.judging import plugin
    steps = REPO / "tests" / "steps"
    assert plugin._preload(_config(steps / "test_conv2d.py")) == ("tensorflow",)
    assert plugin._preload(_config("tests/steps/test_data.py::test_x")) == ()
    assert plugin._preload(_config(steps / "test_plot_image.py", steps / "test_keras_model.py")) == ("tensorflow",)


def test_a_zygote_asked_for_by_two_threads_at_once_starts_once():
    """The judge warms the zygote up in a thread while pytest collects; a test that asks for a worker
    at the same moment waits for that start instead of starting a second zygote."""
    import threading

    from kata.judging.limits import Limits
    from kata.paths import PACKAGE_ROOT
    from kata.worker import process, sandbox

    starts = []
    plain = sandbox.plain_command(PACKAGE_ROOT, [], Limits())

    def command(fd, home):
        starts.append(home)
        return plain(fd, home)

    host = process.ForkHost(command)
    try:
        threads = [threading.Thread(target=host.start) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        worker = host.worker()
        assert len(starts) == 1 and host.alive and worker.answered == 0
        worker.close()
    finally:
        host.close()
