"""Gradebook files an LMS imports, made from the class's results (`exports/` in the output folder).

* `moodle_grading_worksheet.csv` — the assignment's **offline grading worksheet** (Moodle:
  Assignment → View all submissions → Grading action → Upload grading worksheet; the assignment
  needs the "Offline grading worksheet" feedback type). It is the importer that knows students by
  the participant number Moodle writes into the names of the downloaded submissions
  (`José Pérez_1234_assignsubmission_file_…` → `Participant 1234`). Moodle finds its columns by
  their names in the uploader's interface language, so the headings are Moodle's English ones:
  upload it with your Moodle in English. The grade is the 0–10 one; set the assignment's maximum
  grade to 10. Only the students downloaded from Moodle are in it.
* `canvas_gradebook.csv` — Canvas's Gradebook import (Grades → Import): `Student, ID, SIS User ID,
  SIS Login ID, Section` and one assignment column, with a `Points Possible` row, as Canvas's own
  Gradebook export writes them; the ID is the Canvas user id of the downloaded file names
  (`perezjose_4321_…`). A column name that is no assignment yet becomes a new assignment. Only the
  students downloaded from Canvas are in it.

docs/grading.md cites the documentation these follow.
"""

import csv
import io
from datetime import datetime, timezone

from kata_dev.grader.reports import ASSIGNMENT, OUT_OF, grade_10

MOODLE_FILE = "exports/moodle_grading_worksheet.csv"
CANVAS_FILE = "exports/canvas_gradebook.csv"
MOODLE_COLUMNS = ("Identifier", "Full name", "Grade", "Maximum Grade", "Last modified (grade)", "Feedback comments")
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")


def _lms_id(result: dict) -> str:
    """The LMS's own number for this student, read again from the name of the downloaded entry
    (the student id may carry a suffix that tells two entries apart)."""
    from kata_dev.grader.submissions import identify

    return identify(result.get("origin", ""))[0].rsplit("-", 1)[-1]


def _csv(rows) -> str:
    sink = io.StringIO()
    csv.writer(sink, lineterminator="\n").writerows(rows)
    return sink.getvalue()


def _decimal(value: float) -> str:
    return f"{value:.2f}"


def summary_line(result: dict) -> str:
    """One line for an LMS comment box: the score and the steps that fail."""
    failing = [s["id"] for s in result["steps"] if s["status"] != "passed"]
    done = f"{result['score']:g} / {result['max_score']:g}"
    return f"cnn-kata: {done}" + (f"; to do: {', '.join(failing)}" if failing else "; all steps pass")


def moodle_worksheet(results: list, now=None) -> str:
    """The offline grading worksheet of the students downloaded from Moodle."""
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M:%S %z")
    rows = [MOODLE_COLUMNS]
    for r in sorted(results, key=lambda r: r["student_id"]):
        if r.get("lms") != "moodle":
            continue
        rows.append([f"Participant {_lms_id(r)}", r.get("name", ""), _decimal(grade_10(r)), _decimal(OUT_OF),
                     stamp, summary_line(r)])
    return _csv(rows)


def canvas_gradebook(results: list, column: str = ASSIGNMENT) -> str:
    """The Gradebook import of the students downloaded from Canvas, graded 0–10."""
    rows = [[*CANVAS_COLUMNS, column], ["Points Possible", "", "", "", "", _decimal(OUT_OF)]]
    for r in sorted(results, key=lambda r: r["student_id"]):
        if r.get("lms") == "canvas":
            rows.append([r.get("name", ""), _lms_id(r), "", "", "", _decimal(grade_10(r))])
    return _csv(rows)


FILES = (MOODLE_FILE, CANVAS_FILE)


def files(results: list) -> dict:
    """{relative path: text} of the exports the class needs (one per LMS it came from)."""
    out = {}
    if any(r.get("lms") == "moodle" for r in results):
        out[MOODLE_FILE] = moodle_worksheet(results)
    if any(r.get("lms") == "canvas" for r in results):
        out[CANVAS_FILE] = canvas_gradebook(results)
    return out
