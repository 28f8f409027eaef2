"""Files an LMS imports as they are, made from the gradebook (`exports/` in the output folder).

* `moodle_grading_worksheet.csv` — the assignment's **offline grading worksheet** (Moodle:
  Assignment → View all submissions → Grading action → Upload grading worksheet; the assignment
  needs the "Offline grading worksheet" feedback type). It knows students by the participant number
  Moodle writes into the names of the downloaded submissions (`José Pérez_1234_assignsubmission_file_…`
  → `Participant 1234`). Moodle finds its columns by their English names, so upload it with Moodle
  in English. The grade is the 0–10 one (set the assignment's maximum grade to 10); a hand-in
  without a grade has a blank grade, which Moodle skips (never a 0). `Last modified (grade)` is when
  that student was graded or adjusted: Moodle skips a row whose grade was changed in Moodle after
  it, so a grade edited by hand there survives a re-upload. `Feedback comments` is a line in the
  class's language.
* `moodle_feedback_files.zip` — Moodle's "Upload multiple feedback files in a zip": one folder per
  student named as Moodle's download names it (`<Full name>_<participant>_assignsubmission_file_`),
  holding that student's feedback page, so every student's feedback goes back in one upload.
* `canvas_gradebook.csv` — Canvas's Gradebook import (Grades → Import): `Student, ID, SIS User ID,
  SIS Login ID, Section` and the assignment's column, with a `Points Possible` row, as Canvas's own
  export writes them; ID is the Canvas user id. The column is the assignment's real one when the
  roster is Canvas's export ("Title (id)": Canvas then updates that assignment); a column name that
  is no assignment yet becomes a new one. Students without a grade are left out, since Canvas reads
  a blank cell as "remove this grade".
* `left_blank.csv` — every student of an LMS the exports give no grade, and why, for the
  instructor to settle by hand.

docs/grading.md cites the LMS sources these follow.
"""

import csv
import io
import zipfile

from kata.i18n import number, t
from kata_dev.grader.gradebook import DEFAULT_ASSIGNMENT, GRADED, OUT_OF

MOODLE_FILE = "exports/moodle_grading_worksheet.csv"
MOODLE_ZIP = "exports/moodle_feedback_files.zip"
CANVAS_FILE = "exports/canvas_gradebook.csv"
LEFT_BLANK = "exports/left_blank.csv"
MOODLE_COLUMNS = ("Identifier", "Full name", "Grade", "Maximum Grade", "Last modified (grade)", "Feedback comments")
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
FILES = (MOODLE_FILE, MOODLE_ZIP, CANVAS_FILE, LEFT_BLANK)


def _csv(rows) -> str:
    sink = io.StringIO()
    csv.writer(sink, lineterminator="\n").writerows(rows)
    return sink.getvalue()


def _decimal(value) -> str:
    return "" if value is None else f"{value:.2f}"


def moodle_time(iso: str) -> str:
    """An ISO time as the worksheet writes it (PHP's strtotime reads it): 2024-05-06 09:30:00 +0000."""
    from datetime import datetime

    if not iso:
        return ""
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M:%S %z")


def summary_line(entry, lang=None) -> str:
    """One line for Moodle's comment box, in the class's language: the score and what to do."""
    if entry.status == "unreadable" and not entry.has_grade:
        return t("cnn-kata: no se pudo leer tu entrega; vuelve a enviarla (un .zip o tus ficheros de exercises/).",
                 "cnn-kata: your hand-in could not be read; hand it in again (a .zip or your exercises/ files).", lang)
    failing = [step for step, points in entry.steps.items() if points is None or points < entry.maxima.get(step, 0)]
    done = t(f"cnn-kata: {number(entry.score, lang)} / {number(entry.max_score, lang)} puntos",
             f"cnn-kata: {number(entry.score, lang)} / {number(entry.max_score, lang)} points", lang)
    todo = (t(f"; pendiente: {', '.join(failing)}", f"; to do: {', '.join(failing)}", lang) if failing
            else t("; todos los pasos pasan", "; all steps pass", lang))
    adjusted = ""
    if entry.adjustments:
        adjusted = t(" (con ajustes de tu profesor)", " (with your instructor's adjustments)", lang)
    return done + todo + adjusted + t(". El detalle, en tu archivo de comentarios.",
                                      ". The details are in your feedback file.", lang)


def moodle_worksheet(entries: list, lang=None) -> str:
    """The offline grading worksheet of the students downloaded from Moodle."""
    rows = [MOODLE_COLUMNS]
    for e in _of(entries, "moodle"):
        if not e.lms_id or e.status not in (GRADED, "unreadable"):
            continue
        rows.append([f"Participant {e.lms_id}", e.name, _decimal(e.grade_10), _decimal(OUT_OF),
                     moodle_time(e.modified_at), summary_line(e, lang)])
    return _csv(rows)


def moodle_folder(entry) -> str:
    """The folder Moodle's feedback zip importer reads a student from: the full name (with no
    underscore, which separates the parts), the participant number, the plugin."""
    return f"{entry.name.replace('_', ' ').replace('/', ' ')}_{entry.lms_id}_assignsubmission_file_"


def moodle_feedback_zip(entries: list, pages: dict, lang=None) -> bytes:
    """Moodle's "upload multiple feedback files in a zip": {student id: HTML page} of the Moodle students."""
    name = t("comentarios.html", "feedback.html", lang)
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        for e in _of(entries, "moodle"):
            if e.lms_id and e.student_id in pages:
                info = zipfile.ZipInfo(f"{moodle_folder(e)}/{name}", date_time=(2000, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, pages[e.student_id])
    return sink.getvalue()


def canvas_gradebook(entries: list, column: str = DEFAULT_ASSIGNMENT) -> str:
    """The Gradebook import of the Canvas students with a grade, graded 0–10."""
    rows = [[*CANVAS_COLUMNS, column], ["Points Possible", "", "", "", "", _decimal(OUT_OF)]]
    for e in _of(entries, "canvas"):
        if e.has_grade and e.lms_id:
            rows.append([e.sortable or e.name, e.lms_id, e.sis_user_id, e.sis_login_id, e.section,
                         _decimal(e.grade_10)])
    return _csv(rows)


def left_blank(entries: list) -> str:
    """The students of an LMS the exports give no grade, and why."""
    rows = [("student_id", "name", "lms", "status", "why")]
    for e in sorted(entries, key=lambda e: e.student_id):
        if e.lms in ("moodle", "canvas") and not e.has_grade:
            why = e.problem or "; ".join(e.notes) or {"not handed in": "on the roster, nothing in SUBMISSIONS"}.get(
                e.status, e.status)
            rows.append((e.student_id, e.name, e.lms, e.status, why))
    return _csv(rows)


def _of(entries, lms) -> list:
    return sorted((e for e in entries if e.lms == lms), key=lambda e: e.student_id)


def files(entries: list, *, lang=None, column=DEFAULT_ASSIGNMENT, pages=None) -> dict:
    """{relative path: text or bytes} of the exports the class needs (one set per LMS it came from)."""
    out = {}
    if any(e.lms == "moodle" for e in entries):
        out[MOODLE_FILE] = moodle_worksheet(entries, lang)
        out[MOODLE_ZIP] = moodle_feedback_zip(entries, pages or {}, lang)
    if any(e.lms == "canvas" for e in entries):
        out[CANVAS_FILE] = canvas_gradebook(entries, column)
    if any(e.lms in ("moodle", "canvas") for e in entries):
        out[LEFT_BLANK] = left_blank(entries)
    return out
