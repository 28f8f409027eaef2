"""The batch grader (`kata grade`): every fault costs only the step it touches, nothing is lost.

Most tests read the tiny kata's hostile class, graded once for the session (`conftest.graded_class`:
three pure-Python steps, alpha 1 point, beta 2 using alpha, gamma 3; the hostile code always sits in
beta, so a fair grade is exactly 4 of 6). One slow test grades the real kata's solutions and stubs.
"""

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from kata.judging.limits import GRADING
from kata_dev.grader import batch, runner
from support.tiny_kata import (HOSTILE, OUTPUT_MB, SOLUTIONS, add_student, beta_step, limits, make_kata, read_csv,
                               result_of, run_cli)

REPO = Path(__file__).resolve().parents[2]


def without_times(path: Path) -> dict:
    """grades.csv's rows less the columns that say when (two runs grade at different moments)."""
    return {k: {c: v for c, v in row.items() if c not in ("graded_at", "modified_at")}
            for k, row in read_csv(path).items()}


@pytest.fixture(scope="module")
def kata_root(tmp_path_factory) -> Path:
    return make_kata(tmp_path_factory.mktemp("kata"))


def test_an_honest_submission_earns_every_point(graded_class):
    out = graded_class["out"]
    row = read_csv(out / "grades.csv")["honest"]
    assert (row["alpha"], row["beta"], row["gamma"], row["score"], row["max_score"]) == ("1", "2", "3", "6", "6")


@pytest.mark.parametrize("student, reason, detail", [
    ("looper", "ran longer than 8 s", ""),
    ("memory_bomb", "MemoryError", ""),
    ("exit_at_import", "sys.exit(3)", ""),
    ("exit_in_function", "sys.exit(0)", ""),
    ("os_exit_at_import", "exit code 0", ""),
    ("os_exit_in_function", "exit code 1", ""),
    ("segfault", "SIGSEGV", ""),
    ("syntax_error", "syntax error", "expected ':'"),
    ("printer", "wrote too much", f"the output limit of {OUTPUT_MB} MB"),
    ("skipper", "raised Skipped", "too hard"),
    ("session_killer", "raised Exit", "bye"),
])
def test_a_fault_costs_only_the_step_it_touches_and_the_feedback_says_why(graded_class, student, reason, detail):
    """The feedback names the kind of fault; what the submission's own code wrote (its messages) is
    only in the instructor's results (see test_red_team for why)."""
    out = graded_class["out"]
    row = read_csv(out / "grades.csv")[student]
    assert (row["alpha"], row["beta"], row["gamma"], row["score"]) == ("1", "0", "3", "4")
    feedback = (out / "feedback" / f"{student}.md").read_text()
    assert reason in feedback
    assert beta_step(out, student)["status"] in ("fault", "failed")
    if detail:
        assert detail not in feedback
        assert any(detail in t.get("detail", "") for t in result_of(out, student)["tests"])


def test_an_infinite_loop_is_reported_as_a_timeout_with_the_line_it_was_stuck_on(graded_class):
    out = graded_class["out"]
    first, *rest = [t for t in result_of(out, "looper")["tests"] if t["step"] == "beta"]
    loop_lines = ("exercises/beta.py, line 6", "exercises/beta.py, line 7")   # `while True:` and its `pass`
    assert first["status"] == "timeout" and any(line in first["message"] for line in loop_lines), first["message"]
    assert rest and all(t["message"].startswith("not run: test_triple_of_two") for t in rest)


def test_a_crash_costs_only_its_step_and_one_judge_grades_the_whole_submission(graded_class):
    out = graded_class["out"]
    result = result_of(out, "os_exit_in_function")
    assert result["children"] == 1   # the worker died, not the judge nor its zygote
    assert [f["step"] for f in result["faults"]] == ["beta"]


def test_output_under_the_limit_is_graded_normally_and_stored_truncated(graded_class):
    out = graded_class["out"]
    assert read_csv(out / "grades.csv")["chatty"]["score"] == "6"
    stored = [t["output"] for t in result_of(out, "chatty")["tests"] if t["step"] == "beta"]
    assert all(len(text) < 3000 for text in stored) and "characters cut" in "".join(stored)


def test_a_missing_module_is_an_unfinished_step(graded_class):
    out = graded_class["out"]
    assert read_csv(out / "grades.csv")["no_beta"]["score"] == "4"
    assert beta_step(out, "no_beta")["status"] == "missing"
    assert "**Not handed in:** `beta.py`." in (out / "feedback" / "no_beta.md").read_text()


def test_a_submissions_own_conftest_tests_and_other_files_are_ignored_and_named_to_the_instructor(graded_class):
    out = graded_class["out"]
    assert read_csv(out / "grades.csv")["cheater"]["score"] == "4"
    result = result_of(out, "cheater")
    names = {t["name"] for t in result["tests"]}
    assert "test_nothing" not in names and "test_triple_of_two" in names
    files = set(result["attempts"]["files"])
    assert {"cheater/conftest.py", "cheater/pytest.ini", "cheater/sitecustomize.py", "cheater/helper.py",
            "cheater/tests/steps/test_beta.py"} <= files, files
    assert "conftest" not in (out / "feedback" / "cheater.md").read_text()


def test_the_output_folder_does_not_exist_for_a_submission_and_its_attempt_is_reported(graded_class):
    out = graded_class["out"]
    rows = read_csv(out / "grades.csv")
    assert rows["tamperer"]["score"] == "4" and rows["honest"]["score"] == "6"
    assert len(rows) == len(list((out / "results").glob("*.json")))
    assert result_of(out, "honest")["score"] == 6
    assert not (out / "results" / "nobody.json").exists()
    stopped = " ".join(result_of(out, "tamperer")["attempts"]["stopped"])
    assert "grades.csv" in stopped, stopped
    assert "grades.csv" not in (out / "feedback" / "tamperer.md").read_text()


def test_a_zip_is_graded_without_extracting_unsafe_paths(graded_class, tmp_path):
    out = graded_class["out"]
    assert read_csv(out / "grades.csv")["zipped"]["score"] == "6"
    notes = " ".join(result_of(out, "zipped")["notes"])
    assert "../../escaped.py" in notes and "/tmp/absolute.py" in notes
    assert not (out.parent / "escaped.py").exists()


def test_every_student_has_results_feedback_and_one_csv_row(graded_class):
    out = graded_class["out"]
    students = sorted(p.stem for p in (out / "results").glob("*.json"))
    assert students and sorted(read_csv(out / "grades.csv")) == students
    assert sorted(p.stem for p in (out / "results").glob("*.json")) == students
    assert sorted(p.stem for p in (out / "feedback").glob("*.md")) == students


def test_the_gradebook_has_who_the_points_of_each_step_the_score_and_a_0_to_10_grade(graded_class):
    out = graded_class["out"]
    header = (out / "grades.csv").read_text().splitlines()[0].split(",")
    assert header == ["assignment", "student_id", "name", "lms", "late", "alpha", "beta", "gamma", "score",
                      "max_score", "grade_10", "problem", "status", "section", "graded_score", "adjustment",
                      "graded_at", "modified_at"]
    row = read_csv(out / "grades.csv")["looper"]
    assert (row["score"], row["max_score"], row["grade_10"]) == ("4", "6", "6.67")


def test_killing_the_grader_and_resuming_gives_the_same_grades_as_a_clean_run(kata_root, tmp_path):
    subs = tmp_path / "subs"
    add_student(subs, "a_honest")
    add_student(subs, "b_looper", beta=HOSTILE["looper"])
    add_student(subs, "c_honest")
    clean = run_cli(subs, tmp_path / "clean", kata_root)
    clean.communicate(timeout=300)
    assert clean.returncode == 0

    killed_out = tmp_path / "killed"
    first = killed_out / "results" / "a_honest.json"
    victim = run_cli(subs, killed_out, kata_root, start_new_session=True)
    for _ in range(3000):   # bounded: at most 300 s of 0.1 s waits on the process itself
        if first.exists() or victim.poll() is not None:
            break
        try:
            victim.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            pass
    assert first.exists() and victim.poll() is None, "the grader should still be busy with b_looper"
    os.killpg(victim.pid, signal.SIGKILL)
    victim.communicate()
    assert not (killed_out / "results" / "c_honest.json").exists()

    resumed = run_cli(subs, killed_out, kata_root, "--resume")
    log, _ = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, log.decode()
    assert b"resumed 1 already graded: a_honest" in log
    assert without_times(killed_out / "grades.csv") == without_times(tmp_path / "clean" / "grades.csv")


def test_resume_regrades_a_submission_that_changed_since(kata_root, tmp_path):
    subs = tmp_path / "subs"
    add_student(subs, "dana", beta="def triple(x):\n    return 0\n")
    out = tmp_path / "out"
    batch.grade_class(subs, out, limits=limits(), root=kata_root, log=lambda _: None)
    assert read_csv(out / "grades.csv")["dana"]["score"] == "4"
    (subs / "dana" / "beta.py").write_text(SOLUTIONS["beta.py"])
    summary = batch.grade_class(subs, out, resume=True, limits=limits(), root=kata_root, log=lambda _: None)
    assert summary.resumed == [] and read_csv(out / "grades.csv")["dana"]["score"] == "6"


def test_a_memory_limit_too_small_for_the_grader_stops_with_an_error_instead_of_zero_grades(kata_root, tmp_path):
    subs = tmp_path / "subs"
    add_student(subs, "erin")
    with pytest.raises(runner.GraderError, match="--memory"):
        batch.grade_class(subs, tmp_path / "out", limits=limits(memory_mb=60), root=kata_root, log=lambda _: None)
    assert not (tmp_path / "out" / "results" / "erin.json").exists()


def test_a_step_without_a_test_suite_is_refused_by_name(kata_root, tmp_path):
    root = make_kata(tmp_path / "kata")
    (root / "tests" / "steps" / "test_gamma.py").unlink()
    with pytest.raises(runner.GraderError, match="gamma"):
        batch.grade_class(tmp_path, tmp_path / "out", root=root, log=lambda _: None)


@pytest.mark.slow
def test_the_real_kata_gives_full_marks_to_the_solutions_and_none_to_the_stubs(tmp_path):
    subs = tmp_path / "subs"
    shutil.copytree(REPO / "solutions", subs / "solved")
    shutil.copytree(REPO / "exercises", subs / "stubs")
    summary = batch.grade_class(subs, tmp_path / "out", jobs=2, root=REPO, log=lambda _: None, lang="en")
    assert summary.results["solved"]["score"] == summary.results["solved"]["max_score"] == 18
    assert summary.results["stubs"]["score"] == 0
    feedback = (tmp_path / "out" / "feedback" / "stubs.md").read_text()
    assert "**Not started** (the stub as it was)" in feedback and "## What fails" not in feedback


@pytest.mark.parametrize("lang, words", [("es", "tardó más de 8 s"), ("en", "ran longer than 8 s")])
def test_the_reason_for_a_fault_is_written_in_the_feedback_language(lang, words):
    run = runner._Run(ended="timeout")
    kind, reason = runner._fault(run, {"name": "test_beta_loops"}, GRADING.with_(test_seconds=8), lang)
    assert kind == "timeout"
    assert reason.startswith("test_beta_loops") and words in reason


def test_a_folder_is_searched_at_any_depth_the_shallowest_copy_wins_and_every_other_copy_is_recorded(tmp_path):
    from kata_dev.grader import submissions

    student = tmp_path / "ana"
    (student / "cnn-kata" / "exercises").mkdir(parents=True)
    (student / "cnn-kata" / "exercises" / "conv2d.py").write_text("DEEP = True\n")
    (student / "cnn-kata" / "kata" / "pristine").mkdir(parents=True)
    (student / "cnn-kata" / "kata" / "pristine" / "conv2d.py").write_text("STUB = True\n")
    (student / "cnn-kata" / "maxpool2d.py").write_text("SHALLOW = True\n")
    (student / "cnn-kata" / "exercises" / "maxpool2d.py").write_text("DEEPER = True\n")
    (student / "cnn-kata" / "exercises" / "fully_connected.py").write_text("A = 1\n")
    (student / "cnn-kata" / "backup" / "fully_connected.py").parent.mkdir()
    (student / "cnn-kata" / "backup" / "fully_connected.py").write_text("B = 1\n")
    (sub,), _ = submissions.discover(tmp_path, ["conv2d.py", "maxpool2d.py", "fully_connected.py"])
    assert sub.modules == {"conv2d.py": b"DEEP = True\n", "maxpool2d.py": b"SHALLOW = True\n",
                           "fully_connected.py": b"B = 1\n"}
    # The release's own stubs (kata/pristine/) are no copy; a copy deeper down and one at the same depth are,
    # recorded for the student's feedback and the report.
    assert sub.copies == [
        {"module": "maxpool2d.py", "graded": "cnn-kata/maxpool2d.py", "ignored": ["cnn-kata/exercises/maxpool2d.py"]},
        {"module": "fully_connected.py", "graded": "cnn-kata/backup/fully_connected.py",
         "ignored": ["cnn-kata/exercises/fully_connected.py"]}]
    assert not any("conv2d" in n for n in sub.notes) and len([n for n in sub.notes if "several copies" in n]) == 2


def test_an_earlier_run_is_refused_without_resume_or_force_and_force_grades_again(kata_root, tmp_path):
    from kata_dev.grader import reports

    subs, out = tmp_path / "subs", tmp_path / "out"
    add_student(subs, "ana", beta="def triple(x):\n    return 0\n")
    batch.grade_class(subs, out, limits=limits(), root=kata_root, log=lambda _: None)
    before = (out / "grades.csv").read_text()
    with pytest.raises(reports.OutputExists, match="--resume.*--force"):
        batch.grade_class(subs, out, limits=limits(), root=kata_root, log=lambda _: None)
    assert (out / "grades.csv").read_text() == before
    (subs / "ana" / "beta.py").write_text(SOLUTIONS["beta.py"])
    batch.grade_class(subs, out, force=True, limits=limits(), root=kata_root, log=lambda _: None)
    assert read_csv(out / "grades.csv")["ana"]["score"] == "6"


def test_grading_some_students_merges_their_rows_into_the_gradebook(kata_root, tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    add_student(subs, "ana")
    add_student(subs, "bea", gamma=None)
    batch.grade_class(subs, out, limits=limits(), root=kata_root, log=lambda _: None)
    later = tmp_path / "later"
    add_student(later, "bea")                      # a new hand-in of Bea's alone
    lines = []
    summary = batch.grade_class(later, out, resume=True, limits=limits(), root=kata_root, log=lines.append)
    rows = read_csv(out / "grades.csv")
    assert sorted(rows) == ["ana", "bea"] and rows["bea"]["score"] == "6" and rows["ana"]["score"] == "6"
    assert list(summary.kept) == ["ana"] and any(line.startswith("kept 1 earlier result") for line in lines)
    assert (out / "results" / "ana.json").is_file() and (out / "feedback" / "ana.md").is_file()


def test_fractional_points_are_kept_in_the_gradebook_and_the_feedback(tmp_path):
    root = make_kata(tmp_path / "kata")
    manifest_path = root / "kata" / "steps.toml"
    manifest_path.write_text(manifest_path.read_text().replace("points = 2\n", "points = 1.5\n", 1))
    subs, out = tmp_path / "subs", tmp_path / "out"
    add_student(subs, "ana", gamma=None)
    batch.grade_class(subs, out, limits=limits(), root=root, log=lambda _: None, lang="es")
    row = read_csv(out / "grades.csv")["ana"]
    assert (row["beta"], row["score"], row["max_score"], row["grade_10"]) == ("1.5", "2.5", "5.5", "4.55")
    assert "**Nota: 2,5 / 5,5 puntos · 4,55 sobre 10**" in (out / "feedback" / "ana.md").read_text()


def test_the_feedback_shows_only_the_first_failure_per_step_without_paths_or_tracebacks():
    from kata_dev.grader import reports

    message = ("Traceback (most recent call last):\n  File \"/tmp/kata-grade-x/judge1/tests/steps/test_beta.py\", "
               "line 3, in test\nE   triple(2) gave 5 at /tmp/kata-grade-x/impl/beta.py\n"
               "tests/steps/test_beta.py:3: AssertionError")
    steps = [{"id": "beta", "number": 2, "title": "Triple", "module": "beta.py", "points": 0, "max_points": 2,
              "status": "failed", "passed": 0, "tests": 2, "faults": []}]
    tests = [{"step": "beta", "name": f"test_{n}", "status": "failed", "message": message} for n in ("one", "two")]
    result = {"assignment": "cnn_kata", "student_id": "ana", "name": "Ana", "score": 0, "max_score": 2,
              "steps": steps, "tests": tests, "notes": ["several copies of beta.py at the same depth"]}
    text = reports.feedback_text(result, "en")
    assert "test_one" in text and "test_two" not in text
    assert "/tmp" not in text and "Traceback" not in text and "several copies" not in text
    assert "triple(2) gave 5 at beta.py" in text
    html = reports.feedback_html(result, "en")
    assert html.startswith("<!DOCTYPE html>") and "<table>" in html and 'lang="en"' in html


def test_resume_with_steps_on_a_graded_class_leaves_its_gradebook_and_exports_as_they_were(kata_root, tmp_path):
    """The run the issue met: `--resume --steps beta` on an OUT holding the whole class turned a 4/6
    student into 2/2 = 10/10 in grades.csv and the Moodle worksheet. Now it writes OUT/partial/beta."""
    from support.trees import tree_digest

    subs, out = tmp_path / "subs", tmp_path / "out"
    add_student(subs, "Ana Gil_101_assignsubmission_file_")
    add_student(subs, "Bea Ruiz_102_assignsubmission_file_", gamma="def negate(x):\n    return x\n")
    full = run_cli(subs, out, kata_root)
    full.communicate(timeout=300)
    assert full.returncode == 0
    before = tree_digest(out)
    for extra in (("--resume",), ("--force",)):
        partial = run_cli(subs, out, kata_root, *extra, "--steps", "beta")
        log, _ = partial.communicate(timeout=300)
        assert partial.returncode == 0, log.decode()
        assert b"a partial run: no grades, no exports" in log
        assert {k: v for k, v in tree_digest(out).items() if not k.startswith("partial/")} == before
    assert read_csv(out / "grades.csv")["bea-ruiz-102"]["score"] == "3"
    steps = read_csv(out / "partial" / "beta" / "steps.csv")
    assert {k: r["beta"] for k, r in steps.items()} == {"ana-gil-101": "2", "bea-ruiz-102": "2"}


def test_the_class_servers_hand_in_index_marks_the_late_students(tmp_path):
    import json

    from kata_dev.grader import submissions

    for student in ("ana", "bea"):
        (tmp_path / student / "exercises").mkdir(parents=True)
        (tmp_path / student / "exercises" / "alpha.py").write_text(SOLUTIONS["alpha.py"])
    (tmp_path / ".handins.json").write_text(json.dumps(
        {"deadline": "2026-12-01T23:59:00+00:00", "students": {"ana": {"late": False}, "bea": {"late": True}}}))
    found, _ = submissions.discover(tmp_path, ["alpha.py"])
    assert {sub.student: sub.late for sub in found} == {"ana": False, "bea": True}
