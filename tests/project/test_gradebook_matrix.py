"""The gradebook's invariant, over every way of running `kata dev grade`: what grades.csv, the LMS
exports and the class report say of a student is computed from that student's complete results
on every step; a partial run (`--steps`) never writes over a complete one and never reaches an LMS
export.

The matrix: --steps (none, some) × --resume / --force / neither × OUT fresh / holding a complete
run. The grading itself is replaced by a stand-in that passes a step unless its module says WRONG
(this file is about what the grader does with results; test_grader.py grades for real, including
the run the issue met: `--resume --steps` on an existing OUT). The class, in the tiny kata (alpha
1 point, beta 2, gamma 3): Ana (Moodle) all right, Bea (Moodle) beta wrong, Carlos (Canvas) gamma
wrong — so the complete grades are 6, 4 and 3 of 6.
"""

import csv
import hashlib
import shutil
from pathlib import Path

import pytest

from kata.judging.outcome import Outcome
from kata_dev.grader import batch, integrity, reports, runner
from support.tiny_kata import SOLUTIONS, limits, make_kata

COMPLETE = {"ana-gil-101": "6", "bea-ruiz-102": "4", "carlosm-303": "3"}
TOP_LEVEL = ("grades.csv", "gradebook.json", "exports", "report", "results", "feedback")


def fake_grade(modules, step_ids, root, limits=None, python=None, lang=None):
    """Two tests per step, both failing when the step's module says WRONG."""
    graded = runner.Graded(children=1)
    for step in step_ids:
        status = "failed" if b"WRONG" in modules.get(f"{step}.py", b"") else "passed"
        for number in (1, 2):
            graded.tests.append(Outcome(step=step, name=f"test_{step}_{number}", status=status,
                                        message="" if status == "passed" else f"{step} is WRONG"))
    return graded


@pytest.fixture
def standin(monkeypatch):
    """The grader without the sandbox: the stand-in judge, no self-test, no installation fingerprint."""
    monkeypatch.setattr(runner, "grade", fake_grade)
    monkeypatch.setattr(runner, "self_test", lambda root, limits: None)
    monkeypatch.setattr(integrity, "guarded_folders", lambda root: [])


def make_class(subs: Path) -> Path:
    for folder, wrong in (("Ana Gil_101_assignsubmission_file_", None), ("Bea Ruiz_102_assignsubmission_file_", "beta")):
        (subs / folder).mkdir(parents=True)
        for name, text in SOLUTIONS.items():
            (subs / folder / name).write_text(text + ("# WRONG\n" if name == f"{wrong}.py" else ""))
    for number, (name, text) in enumerate(SOLUTIONS.items()):
        text += "# WRONG\n" if name == "gamma.py" else ""
        (subs / f"carlosm_303_{900 + number}_{name}").write_text(text)
    return subs


def grade(subs, out, root, **options):
    return batch.grade_class(subs, out, root=root, limits=limits(sandbox="none"), log=lambda _: None, lang="en",
                             **options)


def digest(folder: Path) -> dict:
    """{relative path: sha256} of the class's files at the top of OUT (not its partial/ folder)."""
    found = {}
    for name in TOP_LEVEL:
        path = folder / name
        for file in ([path] if path.is_file() else sorted(path.rglob("*")) if path.is_dir() else []):
            if file.is_file():
                found[file.relative_to(folder).as_posix()] = hashlib.sha256(file.read_bytes()).hexdigest()
    return found


def rows(path: Path) -> dict:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def existing(tmp_path_factory):
    """A class graded once, completely (the stand-in is set up by hand: a module fixture)."""
    monkey = pytest.MonkeyPatch()
    monkey.setattr(runner, "grade", fake_grade)
    monkey.setattr(runner, "self_test", lambda root, limits: None)
    monkey.setattr(integrity, "guarded_folders", lambda root: [])
    base = tmp_path_factory.mktemp("matrix")
    root = make_kata(base / "kata")
    subs = make_class(base / "subs")
    grade(subs, base / "out", root)
    monkey.undo()
    return {"root": root, "subs": subs, "out": base / "out"}


def assert_complete(out: Path) -> None:
    """The invariant: every row, export and report line comes from complete results on every step."""
    table = rows(out / "grades.csv")
    assert {k: r["score"] for k, r in table.items()} == COMPLETE
    for row in table.values():
        assert all(row[step] != "" for step in ("alpha", "beta", "gamma"))
        assert float(row["score"]) == sum(float(row[s]) for s in ("alpha", "beta", "gamma"))
    moodle = {r[0]: r[2] for r in csv.reader((out / "exports" / "moodle_grading_worksheet.csv").open())}
    assert moodle == {"Identifier": "Grade", "Participant 101": "10.00", "Participant 102": "6.67"}
    canvas = list(csv.reader((out / "exports" / "canvas_gradebook.csv").open()))
    assert [(r[1], r[-1]) for r in canvas[2:]] == [("303", "5.00")]
    report = (out / "report" / "index.md").read_text(encoding="utf-8")
    for student, score in COMPLETE.items():
        assert f"| {score} / 6 |" in next(line for line in report.splitlines() if line.startswith(f"| {student} |"))
    for student in COMPLETE:
        result = reports.load_any(out / "results" / f"{student}.json")
        assert result["steps_graded"] == ["alpha", "beta", "gamma"] and not result.get("partial")
        assert "Partial" not in (out / "feedback" / f"{student}.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("state", ["fresh", "existing"])
@pytest.mark.parametrize("again", ["neither", "--resume", "--force"])
@pytest.mark.parametrize("steps", [None, ["beta"]], ids=["every step", "--steps beta"])
def test_the_gradebook_and_exports_always_come_from_complete_results(existing, standin, tmp_path, steps, again, state):
    out = tmp_path / "out"
    if state == "existing":
        shutil.copytree(existing["out"], out)
    before = digest(out) if out.exists() else {}
    options = {"resume": again == "--resume", "force": again == "--force", "step_ids": steps}
    if steps is None and again == "neither" and state == "existing":
        with pytest.raises(reports.OutputExists):
            grade(existing["subs"], out, existing["root"], **options)
        assert digest(out) == before
        return
    summary = grade(existing["subs"], out, existing["root"], **options)
    if steps is None:
        assert not summary.partial
        assert_complete(out)
        return
    # A partial run: a folder of its own that says so; the class's files as they were (or absent).
    assert summary.partial and summary.out == out / "partial" / "beta"
    assert digest(out) == before
    if state == "fresh":
        assert not (out / "grades.csv").exists() and not (out / "exports").exists() and not (out / "report").exists()
    else:
        assert_complete(out)
    partial = out / "partial" / "beta"
    table = rows(partial / "steps.csv")
    assert {k: r["beta"] for k, r in table.items()} == {"ana-gil-101": "2", "bea-ruiz-102": "0", "carlosm-303": "2"}
    assert "score" not in next(iter(table.values())) and "grade_10" not in next(iter(table.values()))
    assert "These are not grades" in (partial / "README.md").read_text()
    feedback = (partial / "feedback" / "bea-ruiz-102.md").read_text()
    assert "This is not your grade" in feedback and "out of 10" not in feedback
    assert not (partial / "exports").exists() and not (partial / "grades.csv").exists()


def test_a_partial_run_into_its_own_folder_again_needs_resume_or_force(existing, standin, tmp_path):
    out = tmp_path / "out"
    grade(existing["subs"], out, existing["root"], step_ids=["beta"])
    with pytest.raises(reports.OutputExists, match="partial/beta"):
        grade(existing["subs"], out, existing["root"], step_ids=["beta"])
    assert grade(existing["subs"], out, existing["root"], step_ids=["beta"], resume=True).resumed


def test_a_result_an_older_grader_left_from_a_partial_run_is_a_row_without_a_grade(existing, standin, tmp_path):
    """Before the gradebook, `--steps beta` wrote results of beta alone into OUT/results/: a student
    not in SUBMISSIONS keeps such a row, but with no grade, and is named for the instructor."""
    import json

    out = tmp_path / "out"
    shutil.copytree(existing["out"], out)
    path = out / "results" / "bea-ruiz-102.json"
    old = json.loads(path.read_text())
    old["steps"] = [s for s in old["steps"] if s["id"] == "beta"]
    old["steps_graded"] = ["beta"]
    old["score"], old["max_score"] = 0, 2
    path.write_text(json.dumps(old))
    later = tmp_path / "later"
    shutil.copytree(existing["subs"] / "Ana Gil_101_assignsubmission_file_", later / "Ana Gil_101_assignsubmission_file_")
    summary = grade(later, out, existing["root"], resume=True)
    bea = rows(out / "grades.csv")["bea-ruiz-102"]
    assert (bea["score"], bea["grade_10"], bea["status"]) == ("", "", "incomplete")
    assert "graded only beta" in bea["problem"]
    moodle = {r[0]: r[2] for r in csv.reader((out / "exports" / "moodle_grading_worksheet.csv").open())}
    assert "Participant 102" not in moodle
    assert [e.student_id for e in summary.without_grade()] == ["bea-ruiz-102"]


@pytest.mark.parametrize("option, text, message", [
    ("adjustments", "student,step,points,reason\nana-gil-101,beta,1,ok\nnadie,total,1,typo\n",
     "line 3: 'nadie' is no student of this class"),
    ("adjustments", "alumno,paso,puntos\n", "line 1: the header must be student,step,points,reason"),
    ("roster", "Nombre completo,Nota\nAna,7\n", "line 1: the header Nombre completo, Nota is none the grader knows"),
])
def test_a_bad_roster_or_adjustments_file_stops_before_grading_and_writes_nothing(existing, standin, tmp_path,
                                                                                    option, text, message):
    from kata_dev.grader import adjustments, roster

    bad = tmp_path / f"{option}.csv"
    bad.write_text(text)
    out = tmp_path / "out"
    shutil.copytree(existing["out"], out)
    before = digest(out)
    with pytest.raises((adjustments.AdjustmentError, roster.RosterError)) as caught:
        grade(existing["subs"], out, existing["root"], resume=True, **{option: bad})
    assert str(caught.value).startswith(str(bad)) and message in str(caught.value)
    assert digest(out) == before and not (out / f"{option}.csv").exists()
    with pytest.raises((adjustments.AdjustmentError, roster.RosterError)):
        grade(existing["subs"], tmp_path / "new", existing["root"], **{option: bad})
    assert not (tmp_path / "new").exists()


def test_adjustments_and_roster_given_once_apply_to_every_later_run(existing, standin, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(existing["out"], out)
    (tmp_path / "adjustments.csv").write_text("student,step,points,reason\nbea-ruiz-102,beta,1,half right\n")
    (tmp_path / "roster.csv").write_text('Student,ID,SIS Login ID,Section\n"Martín, Carlos",303,cmartin,Grupo B\n'
                                         '"Sanz, Eva",404,esanz,Grupo B\n')
    grade(existing["subs"], out, existing["root"], resume=True, adjustments=tmp_path / "adjustments.csv",
          roster=tmp_path / "roster.csv", assignment="Práctica 3")
    again = grade(existing["subs"], out, existing["root"], force=True)          # neither file given again
    table = rows(out / "grades.csv")
    assert (table["bea-ruiz-102"]["beta"], table["bea-ruiz-102"]["score"]) == ("1", "5")
    assert (table["carlosm-303"]["name"], table["carlosm-303"]["section"]) == ("Carlos Martín", "Grupo B")
    assert table["eva-sanz-404"]["status"] == "not handed in"
    assert "Your instructor's adjustments" in (out / "feedback" / "bea-ruiz-102.md").read_text()
    assert (out / "feedback" / "bea-ruiz-102.md").read_text().startswith("# Práctica 3 · Bea Ruiz")
    canvas = list(csv.reader((out / "exports" / "canvas_gradebook.csv").open()))
    assert canvas[0][-1] == "Práctica 3" and canvas[2][:5] == ["Martín, Carlos", "303", "", "cmartin", "Grupo B"]
    assert any("bea-ruiz-102" in w and "not on the roster" in w for w in again.warnings)
