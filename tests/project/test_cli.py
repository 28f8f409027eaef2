"""The `kata` command end to end, on a temporary copy of the repository.

The copy mixes every kind of step: conv2d and maxpool2d solved (the reference files copied in),
fully_connected broken (its ReLU removed), the rest still stubs. The CLI runs as a subprocess
(`python -m kata ...` with the copy as working folder), so what is checked is what a learner sees.
Importing TensorFlow costs seconds per process, so only the cheap suites (conv2d, maxpool2d,
fully_connected, print_results) are ever run; steps that are not started never run a test.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kata import manifest, state, status, stubs, watch
from kata.judging import verdict
from kata.cli import parser
from kata.commands import reset as reset_command
from kata.files import backup
from kata.stubs import BEGIN, STUB_TAG, stub_text
from kata_dev import release

from support.copies import ROOT, child_env, copy_repository  # noqa: E402
# kata_dev/, course/ and tests/project/ are copied too, so the release test proves they are left out.
SOLVED = ("conv2d", "maxpool2d")
BROKEN = "fully_connected"
STUB_STEP = "print_results"          # a stub whose suite does not import TensorFlow
PROCESS_TIMEOUT_S = 600              # only a guard against a hung child, never a measure


def break_relu(source: str) -> str:
    """The reference fully_connected with its ReLU removed: runs, but gives negative outputs."""
    broken = source.replace("return tf.nn.relu(x)", "return x")
    assert broken != source, "solutions/fully_connected.py no longer ends with `return tf.nn.relu(x)`; update break_relu"
    return broken


def mixed_copy(dest: Path) -> Path:
    """A repository copy with conv2d and maxpool2d solved, fully_connected broken, the rest stubs."""
    root = copy_repository(dest)
    for step_id in SOLVED:
        shutil.copy2(root / "solutions" / f"{step_id}.py", root / "exercises" / f"{step_id}.py")
    broken = break_relu((root / "solutions" / f"{BROKEN}.py").read_text(encoding="utf-8"))
    (root / "exercises" / f"{BROKEN}.py").write_text(broken, encoding="utf-8")
    return root


@pytest.fixture
def kata_copy(tmp_path) -> Path:
    return mixed_copy(tmp_path / "kata")


@pytest.fixture(scope="module")
def first_status(tmp_path_factory):
    """(copy, result) of a first bare `kata` on a fresh mixed copy; shared to pay for TensorFlow once."""
    root = mixed_copy(tmp_path_factory.mktemp("status") / "kata")
    return root, kata(root)


def kata(root: Path, *args, **env) -> subprocess.CompletedProcess:
    """Run `python -m kata *args` in `root` with no terminal attached (stdin is empty)."""
    return subprocess.run([sys.executable, "-m", "kata", *args], cwd=root, env=child_env(**env),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=PROCESS_TIMEOUT_S)


def state_column(output: str) -> dict:
    """{step id: its state label} from the plain `kata status` table."""
    ids = {s.id for s in manifest.steps(ROOT)}
    found = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) > 2 and parts[0].rstrip(".").isdigit() and parts[1] in ids:
            found[parts[1]] = " ".join(parts[2:-2])
    return found


# ---------------------------------------------------------------- status


def test_status_tells_done_failing_and_not_started_and_names_the_next_step(first_status):
    _, result = first_status          # `kata` alone is `kata status`
    assert result.returncode == 0, result.stderr
    states = state_column(result.stdout)
    assert states["conv2d"] == "done ✓" and states["maxpool2d"] == "done ✓", result.stdout
    assert states[BROKEN].startswith("failing ("), result.stdout
    assert states["data"] == "not started" and states[STUB_STEP] == "not started", result.stdout
    assert "Next: data" in result.stdout and "exercises/data.py" in result.stdout, result.stdout
    assert "public tests — your instructor may grade with more" in result.stdout
    done_points = sum(manifest.get(s, ROOT).points for s in SOLVED)
    total = sum(s.points for s in manifest.steps(ROOT))
    assert f"{done_points}/{total} points" in result.stdout, result.stdout


def test_status_reads_cached_results_instead_of_running_the_tests_again(first_status):
    kata_copy, _ = first_status
    state_file = kata_copy / ".kata" / "state.json"
    state = json.loads(state_file.read_text(encoding="utf-8"))
    assert set(state["results"]) == {*SOLVED, BROKEN}, state["results"]
    # A cached verdict that disagrees with the real one shows that the cache, not a test run, answered.
    state["results"]["conv2d"].update(state="failing", passed=1, total=2, message="from the cache")
    state_file.write_text(json.dumps(state), encoding="utf-8")
    again = kata(kata_copy, "status")
    assert state_column(again.stdout)["conv2d"] == "failing (1/2)", again.stdout


def test_a_cached_result_is_forgotten_when_the_step_file_changes(kata_copy):
    step = manifest.get("conv2d", ROOT)
    status.record(status.StepStatus(step, status.DONE, 3, 3), kata_copy)
    saved = state.load(kata_copy)
    assert status.quick_status(step, kata_copy, saved).state == status.DONE
    with open(kata_copy / "exercises" / "conv2d.py", "a", encoding="utf-8") as handle:
        handle.write("\n# an edit\n")
    assert status.quick_status(step, kata_copy, saved).state == status.UNKNOWN


def test_a_stub_with_comments_added_is_still_not_started():
    step = manifest.get("train", ROOT)
    stub = stub_text(step, ROOT)
    assert stubs.raises_stub_everywhere("# my notes\n" + stub, step.functions)


def test_a_stub_with_one_function_written_counts_as_started():
    step = manifest.get("data", ROOT)
    stub = stub_text(step, ROOT)
    head, sep, tail = stub.partition("def one_hot")
    body_start = tail.index("raise NotImplementedError")
    written = head + sep + tail[:body_start] + "return None  # " + tail[body_start:]
    assert not stubs.raises_stub_everywhere(written, step.functions)


# ---------------------------------------------------------------- check


def test_check_on_a_solved_step_passes_and_names_the_next_one(kata_copy):
    result = kata(kata_copy, "check", "conv2d")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("✓ conv2d:"), result.stdout
    # maxpool2d comes next in course order; its result is not known yet, so it is the next to check.
    assert "Next: maxpool2d" in result.stdout and "exercises/maxpool2d.py" in result.stdout, result.stdout


def test_check_on_a_stub_says_not_implemented_yet_and_fails(kata_copy):
    result = kata(kata_copy, "check", STUB_STEP)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"not implemented yet: fill in exercises/{STUB_STEP}.py" in result.stdout, result.stdout


def test_check_on_a_broken_step_shows_the_first_failure_without_a_traceback(kata_copy):
    result = kata(kata_copy, "check", BROKEN)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "First failure (" in result.stdout, result.stdout
    message = result.stdout.split("First failure (", 1)[1].split("\n", 1)[1]
    assert message.strip(), f"no failure message after the heading:\n{result.stdout}"
    assert "Traceback" not in result.stdout and 'File "' not in result.stdout, result.stdout
    assert len(result.stdout.splitlines()) < 25, result.stdout


def test_check_of_an_unknown_step_lists_the_step_ids(kata_copy):
    result = kata(kata_copy, "check", "convolution")
    assert result.returncode == 2
    assert "'convolution'" in result.stderr
    assert all(step.id in result.stderr for step in manifest.steps(ROOT)), result.stderr


def test_failure_digest_keeps_the_error_lines_and_where_they_happened():
    longrepr = ("    def test_x(load_step):\n>       out = conv2d(x)\n\ntests/steps/test_conv2d.py:40: \n"
                "_ _ _ _\n\n    def conv2d(x):\n>       return x + undefined\nE       NameError: name 'undefined' "
                "is not defined\n\nexercises/conv2d.py:22: NameError")
    text = verdict.trim(longrepr)
    assert text.splitlines()[0] == "NameError: name 'undefined' is not defined"
    assert "exercises/conv2d.py" in text and "22" in text
    assert "def test_x" not in text


# ---------------------------------------------------------------- hint


@pytest.mark.parametrize("lang", ["es", "en"])
def test_hint_n_prints_the_manifest_text_in_the_chosen_language(kata_copy, lang):
    result = kata(kata_copy, "hint", "conv2d", "2", "--lang", lang)
    assert result.returncode == 0, result.stderr
    hints = manifest.get("conv2d", ROOT).hints(lang)
    assert hints[1] in result.stdout and f"2/{len(hints)}" in result.stdout, result.stdout


def test_hint_without_n_shows_the_next_hint_not_yet_seen(kata_copy):
    first = kata(kata_copy, "hint", "maxpool2d")
    second = kata(kata_copy, "hint", "maxpool2d")
    hints = manifest.get("maxpool2d", ROOT).hints("en")
    assert hints[0] in first.stdout and f"1/{len(hints)}" in first.stdout, first.stdout
    assert hints[1] in second.stdout and f"2/{len(hints)}" in second.stdout, second.stdout


def test_hints_of_one_step_do_not_count_for_another(kata_copy):
    kata(kata_copy, "hint", "maxpool2d")
    other = kata(kata_copy, "hint", "conv2d")
    assert f"1/{len(manifest.get('conv2d', ROOT).hints('en'))}" in other.stdout, other.stdout


def test_hint_beyond_the_last_one_names_the_valid_range(kata_copy):
    result = kata(kata_copy, "hint", "conv2d", "9")
    count = len(manifest.get("conv2d", ROOT).hints("en"))
    assert result.returncode == 2 and f"from 1 to {count}" in result.stderr, result.stderr


# ---------------------------------------------------------------- reset


def test_reset_without_a_terminal_or_yes_refuses_and_changes_nothing(kata_copy):
    solved = (kata_copy / "exercises" / "conv2d.py").read_text(encoding="utf-8")
    result = kata(kata_copy, "reset", "conv2d")
    assert result.returncode == 1 and "--yes" in result.stderr, result.stderr
    assert (kata_copy / "exercises" / "conv2d.py").read_text(encoding="utf-8") == solved
    assert not list((kata_copy / "exercises").glob("conv2d.py.bak-*"))


def test_reset_with_yes_restores_the_stub_and_keeps_the_learners_file(kata_copy):
    solved = (kata_copy / "exercises" / "conv2d.py").read_text(encoding="utf-8")
    result = kata(kata_copy, "reset", "conv2d", "--yes")
    assert result.returncode == 0, result.stderr
    step = manifest.get("conv2d", kata_copy)
    assert (kata_copy / "exercises" / "conv2d.py").read_text(encoding="utf-8") == stub_text(step, kata_copy)
    backups = list((kata_copy / "exercises").glob("conv2d.py.bak-*"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == solved
    assert backups[0].name in result.stdout, result.stdout


def test_reset_starts_the_hints_of_that_step_again_from_the_first(kata_copy):
    hints = manifest.get("conv2d", ROOT).hints("en")
    kata(kata_copy, "hint", "conv2d")
    kata(kata_copy, "hint", "conv2d")
    assert kata(kata_copy, "reset", "conv2d", "--yes").returncode == 0
    again = kata(kata_copy, "hint", "conv2d")
    assert hints[0] in again.stdout and f"1/{len(hints)}" in again.stdout, again.stdout


def test_a_backup_never_overwrites_an_earlier_one(tmp_path):
    path = tmp_path / "conv2d.py"
    path.write_text("first", encoding="utf-8")
    one = backup(path, "20240101-120000")
    path.write_text("second", encoding="utf-8")
    two = backup(path, "20240101-120000")
    assert one != two
    assert one.read_text(encoding="utf-8") == "first" and two.read_text(encoding="utf-8") == "second"


class FakeTerminal:
    def isatty(self):
        return True


@pytest.mark.parametrize("answer, expected", [("y", True), ("s", True), ("", False), ("n", False)])
def test_reset_confirmation_accepts_only_a_yes(answer, expected):
    assert reset_command.confirmed("Restore?", stdin=FakeTerminal(), ask=lambda _: answer) is expected


# ---------------------------------------------------------------- watch


def test_watch_stops_cleanly_on_ctrl_c_and_leaves_no_socket(monkeypatch, capsys, kata_copy):
    from kata import warm

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setenv("KATA_ROOT", str(kata_copy))
    monkeypatch.setenv("KATA_LANG", "en")   # restored afterwards, though `--lang` sets it
    monkeypatch.setattr(watch, "loop", interrupted)
    monkeypatch.setattr(warm, "SERVING", False)
    args = parser().parse_args(["watch", "--lang", "en"])
    assert args.func(args) == 0
    assert "Bye." in capsys.readouterr().out
    assert not warm.socket_path(kata_copy).exists()


def test_a_save_triggers_the_check_a_learner_would_type():
    assert watch.check_argv("conv2d", "en") == ["check", "conv2d", "--lang", "en"]
    assert watch.check_argv() == ["check"]


# ---------------------------------------------------------------- release


def test_release_leaves_out_solutions_project_tests_and_the_instructor_package(kata_copy, tmp_path):
    out = tmp_path / "student"
    result = kata(kata_copy, "dev", "release", str(out))
    assert result.returncode == 0, result.stderr
    for forbidden in ("solutions", "tests/project", "kata_dev", "course"):
        assert not (out / forbidden).exists(), f"{forbidden} is in the release"
    assert release.scan(out) == []
    for step in manifest.steps(ROOT):
        stub = stub_text(step, kata_copy)
        assert (out / "exercises" / step.filename).read_text(encoding="utf-8") == stub, step.id
    assert not list(out.rglob("__pycache__")), "compiled caches were shipped"


def test_release_tests_fail_kindly_on_the_stub_and_pass_with_a_solution(kata_copy, tmp_path):
    out = tmp_path / "student"
    assert kata(kata_copy, "dev", "release", str(out)).returncode == 0
    pytest_command = [sys.executable, "-m", "pytest", "tests/steps/test_conv2d.py", "-q"]
    stub_run = subprocess.run(pytest_command, cwd=out, env=child_env(), capture_output=True, text=True,
                              timeout=PROCESS_TIMEOUT_S)
    assert stub_run.returncode == 1, stub_run.stdout[-3000:]
    assert f"{STUB_TAG}: fill in exercises/conv2d.py" in stub_run.stdout, stub_run.stdout[-3000:]
    shutil.copy2(ROOT / "solutions" / "conv2d.py", out / "exercises" / "conv2d.py")
    solved_run = subprocess.run(pytest_command, cwd=out, env=child_env(), capture_output=True, text=True,
                                timeout=PROCESS_TIMEOUT_S)
    assert solved_run.returncode == 0, solved_run.stdout[-3000:]


def test_status_and_reset_work_in_a_release_without_solutions(kata_copy, tmp_path):
    out = tmp_path / "student"
    assert kata(kata_copy, "dev", "release", str(out)).returncode == 0
    status = kata(out, "status")
    assert status.returncode == 0 and set(state_column(status.stdout).values()) == {"not started"}, status.stdout
    stub = (out / "exercises" / "conv2d.py").read_text(encoding="utf-8")
    (out / "exercises" / "conv2d.py").write_text("# my attempt\n", encoding="utf-8")
    assert kata(out, "reset", "conv2d", "--yes").returncode == 0
    assert (out / "exercises" / "conv2d.py").read_text(encoding="utf-8") == stub


def test_release_refuses_a_folder_that_is_not_empty_unless_forced(kata_copy, tmp_path):
    out = tmp_path / "student"
    out.mkdir()
    (out / "old.txt").write_text("an older release", encoding="utf-8")
    refused = kata(kata_copy, "dev", "release", str(out))
    assert refused.returncode == 1 and "--force" in refused.stderr, refused.stderr
    assert (out / "old.txt").is_file()
    forced = kata(kata_copy, "dev", "release", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert not (out / "old.txt").exists() and (out / "exercises" / "conv2d.py").is_file()


def test_release_that_would_leak_a_solution_writes_nothing(kata_copy, tmp_path):
    leak = kata_copy / "notebooks" / "leak.ipynb"
    leak.parent.mkdir(exist_ok=True)
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": ["def f():\n", f"    {BEGIN}\n", "    return 1\n"]}
    leak.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
                    encoding="utf-8")
    out = tmp_path / "student"
    result = kata(kata_copy, "dev", "release", str(out))
    assert result.returncode == 1 and "notebooks/leak.ipynb" in result.stderr, result.stderr
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["kata"], "a half-built bundle was left behind"


def test_release_never_replaces_the_repository_itself(kata_copy):
    result = kata(kata_copy, "dev", "release", str(kata_copy), "--force")
    assert result.returncode == 1 and "repository" in result.stderr, result.stderr
    assert (kata_copy / "solutions").is_dir()


def test_an_abbreviated_option_is_an_error_not_another_option():
    # --out must never be read as --output-limit (argparse's prefix matching is off everywhere).
    with pytest.raises(SystemExit):
        parser().parse_args(["dev", "grade", "subs", "out", "--out", "X"])
    with pytest.raises(SystemExit):
        parser().parse_args(["train", "--epoch", "2"])


# ---------------------------------------------------------------- language and output


def test_help_and_argparse_errors_are_spanish_for_a_spanish_learner(kata_copy):
    help_text = kata(kata_copy, "--help", KATA_LANG="es").stdout
    assert help_text.startswith("uso: kata") and "opciones:" in help_text and "muestra esta ayuda" in help_text
    typo = kata(kata_copy, "chek", KATA_LANG="es")
    assert typo.returncode == 2
    # Python 3.12.7+ prints the choices without quotes: match either way.
    assert re.search(r"'chek' no es una opción válida \(elige entre '?status'?, '?check'?", typo.stderr), typo.stderr


def test_a_top_level_lang_switches_the_help_too(kata_copy):
    help_text = kata(kata_copy, "--lang", "en", "--help", KATA_LANG="es").stdout
    assert help_text.startswith("usage: kata") and "build a convolutional network" in help_text
    assert "construye" not in help_text


def test_lang_before_the_command_reaches_the_command(kata_copy):
    result = kata(kata_copy, "--lang", "es", "hint", "conv2d", "1", KATA_LANG="en")
    assert manifest.get("conv2d", ROOT).hints("es")[0] in result.stdout, result.stdout


def test_output_cut_short_by_a_closed_pipe_ends_quietly(kata_copy):
    # `kata | head -1`: the reader has gone away before kata writes; no BrokenPipeError traceback follows.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([sys.executable, "-m", "kata", "hint", "conv2d", "1"], cwd=kata_copy,
                              env=child_env(), stdout=write_end, stderr=subprocess.PIPE, text=True,
                              timeout=PROCESS_TIMEOUT_S)
    finally:
        os.close(write_end)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
