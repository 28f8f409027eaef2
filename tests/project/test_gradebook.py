"""The gradebook an instructor signs, piece by piece and without grading anyone: the roster files of
Moodle and Canvas, the adjustments file, the exports an LMS imports as they are, and discovery that
the instructor's own folders cannot fool. (test_gradebook_matrix.py holds the partial-run
invariant; test_lms_journey.py the whole journey on the real kata.)"""

import csv
import io
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from kata_dev.grader import adjustments, exports, gradebook, roster, submissions

STEPS = [SimpleNamespace(id="alpha", points=1), SimpleNamespace(id="beta", points=2), SimpleNamespace(id="gamma", points=3)]

CANVAS_EXPORT = """\
Student,ID,SIS User ID,SIS Login ID,Section,Práctica 3: CNN (9876),Current Score,Final Score
    Points Possible,,,,,10.00,(read only),(read only)
"García, Elena",4321,A001,egarcia,Grupo A,,,
"López, Luis",8765,A002,llopez,Grupo B,,,
"Ruiz, Sara",5555,A003,sruiz,Grupo A,,,
"""

MOODLE_PARTICIPANTS = """\ufeffFirst name,Last name,Email address
José,Pérez,jperez@uni.es
María,Núñez,mnunez@uni.es
Pedro,Gil,pgil@uni.es
"""


def result(student, points, *, origin="", name=None, lms="folder", problem="", graded_at="2025-01-10T09:00:00+00:00",
           steps_graded=None):
    """A stored result of the tiny kata: {step: points}; a missing step was not graded (an unreadable
    hand-in has every step, at 0, as the grader stores it)."""
    if problem:
        points = {s.id: 0 for s in STEPS}
    return {"student_id": student, "name": name or student, "lms": lms, "origin": origin, "problem": problem,
            "graded_at": graded_at, "steps_graded": steps_graded or [s.id for s in STEPS],
            "steps": [{"id": s, "points": p} for s, p in points.items()],
            "score": sum(points.values()), "max_score": 6, "tests_sha256": "t"}


FULL = {"alpha": 1, "beta": 2, "gamma": 3}


# --------------------------------------------------------------------------- roster


def test_canvas_gradebook_export_gives_real_names_sections_and_the_assignment_column():
    parsed = roster.parse(CANVAS_EXPORT, "export.csv")
    assert parsed.kind == "canvas gradebook"
    assert [(m.name, m.lms_id, m.section, m.sis_login_id) for m in parsed.members] == [
        ("Elena García", "4321", "Grupo A", "egarcia"), ("Luis López", "8765", "Grupo B", "llopez"),
        ("Sara Ruiz", "5555", "Grupo A", "sruiz")]
    assert parsed.column_for("Práctica 3: CNN") == "Práctica 3: CNN (9876)"
    assert parsed.column_for("Current Score") is None


def test_moodle_participants_download_is_read_with_its_byte_order_mark():
    parsed = roster.parse(MOODLE_PARTICIPANTS.lstrip("\ufeff"), "courseid_7_participants.csv")
    assert parsed.kind == "moodle participants"
    assert [(m.name, m.email) for m in parsed.members][0] == ("José Pérez", "jperez@uni.es")


@pytest.mark.parametrize("text, message", [
    ("Name,Grade\nAna,7\n", "line 1: the header Name, Grade is none the grader knows"),
    ("Student,ID,SIS Login ID,Section\n\"Gil, Ana\",abc,ag,A\n", "line 2: the ID 'abc' is not a Canvas user id"),
    ("Student,ID,SIS Login ID,Section\n\"Gil, Ana\",12,ag,A\n\"Gil, Eva\",12,eg,A\n", "line 3: the id 12 is also on line 2"),
    ("First name,Last name\n,\n", "no student in it"),
])
def test_a_malformed_roster_is_refused_naming_the_file_the_line_and_the_fix(text, message):
    with pytest.raises(roster.RosterError, match="^roster.csv") as caught:
        roster.parse(text, "roster.csv")
    assert message in str(caught.value)


def test_the_roster_names_canvas_students_adds_absent_ones_and_warns_of_strangers():
    parsed = roster.parse(CANVAS_EXPORT, "export.csv")
    results = [result("garciaelena-4321", FULL, origin="garciaelena_4321_111_alpha.py", name="garciaelena",
                      lms="canvas"),
               result("intruso-9999", FULL, origin="intruso_9999_112_alpha.py", name="intruso", lms="canvas")]
    entries, warnings = gradebook.build(results, STEPS, roster=parsed)
    by_id = {e.student_id: e for e in entries}
    assert by_id["garciaelena-4321"].name == "Elena García" and by_id["garciaelena-4321"].section == "Grupo A"
    assert by_id["luis-lopez-8765"].status == gradebook.NOT_HANDED_IN and not by_id["luis-lopez-8765"].has_grade
    assert by_id["intruso-9999"].on_roster is False
    assert any("intruso-9999" in w and "not on the roster" in w for w in warnings)


def test_moodle_hand_ins_match_the_participants_by_full_name_whatever_the_accents():
    parsed = roster.parse(MOODLE_PARTICIPANTS, "participants.csv")
    results = [result("jose-perez-1234", FULL, origin="Jose Perez_1234_assignsubmission_file_", name="Jose Perez",
                      lms="moodle")]
    entries, warnings = gradebook.build(results, STEPS, roster=parsed)
    assert {e.student_id: e.status for e in entries} == {
        "jose-perez-1234": "graded", "maria-nunez": "not handed in", "pedro-gil": "not handed in"}
    assert entries[0].name == "José Pérez" and warnings == []


# --------------------------------------------------------------------------- adjustments


CLASS = {"ana": "Ana Gil", "bea": "Bea Ruiz", "rota": "Rota Roto"}


def test_adjustments_set_a_step_add_to_the_total_and_keep_their_reasons():
    found = adjustments.parse("student,step,points,reason\nana,beta,\"1,5\",half right\nAna Gil,total,-1,late\n",
                              "adjustments.csv", CLASS, STEPS)
    entries, _ = gradebook.build([result("ana", {"alpha": 1, "beta": 0, "gamma": 3})], STEPS, adjustments=found)
    ana = entries[0]
    assert ana.graded_score == 4 and ana.steps["beta"] == 1.5 and ana.score == 4.5
    assert [(a["target"], a["change"], a["reason"]) for a in ana.adjustments] == [
        ("beta", "= 1.5", "half right"), ("total", "−1", "late")]


@pytest.mark.parametrize("line, message", [
    ("anna,beta,1,typo", "line 2: 'anna' is no student of this class (did you mean ana?)"),
    ("ana,delta,1,typo", "line 2: 'delta' is no step; write one of alpha, beta, gamma or total"),
    ("ana,beta,lots,typo", "line 2: the points 'lots' are not a number"),
    ("ana,beta,3,typo", "line 2: sets beta to 3, above its 2 points"),
    ("ana,beta,1,", "line 2: no reason"),
    ("rota,beta,1,by hand", "line 2: rota has no graded result to change"),
])
def test_an_adjustment_naming_no_student_or_step_is_refused_with_its_line_and_fix(line, message):
    with pytest.raises(adjustments.AdjustmentError) as caught:
        adjustments.parse(f"student,step,points,reason\n{line}\n", "OUT/adjustments.csv", CLASS, STEPS,
                          ungraded={"rota"})
    assert str(caught.value).startswith("OUT/adjustments.csv: 1 line(s) cannot be applied") and message in str(caught.value)


def test_an_unreadable_hand_in_gets_a_grade_only_from_a_whole_total_set_by_hand():
    found = adjustments.parse("student,step,points,reason\nrota,total,4.5,graded from the e-mailed copy\n",
                              "a.csv", CLASS, STEPS, ungraded={"rota"})
    entries, _ = gradebook.build([result("rota", {}, problem="rota.zip cannot be read (BadZipFile)")], STEPS,
                                 adjustments=found)
    assert entries[0].status == "unreadable" and entries[0].score == 4.5 and entries[0].grade_10 == 7.5


def test_the_moment_of_a_hand_change_is_kept_until_the_change_itself_changes():
    found = adjustments.parse("student,step,points,reason\nana,total,-1,late\n", "a.csv", CLASS, STEPS)
    first, _ = gradebook.build([result("ana", FULL)], STEPS, adjustments=found, now="2025-02-01T10:00:00+00:00")
    previous = {"students": {e.student_id: e._ledger for e in first}}
    again, _ = gradebook.build([result("ana", FULL)], STEPS, adjustments=found, previous=previous,
                               now="2025-03-01T10:00:00+00:00")
    assert first[0].modified_at == again[0].modified_at == "2025-02-01T10:00:00+00:00"
    plain, _ = gradebook.build([result("ana", FULL)], STEPS, previous=previous, now="2025-04-01T10:00:00+00:00")
    assert plain[0].modified_at == "2025-04-01T10:00:00+00:00"        # the change was taken back: a new moment
    untouched, _ = gradebook.build([result("ana", FULL)], STEPS, now="2025-04-01T10:00:00+00:00")
    assert untouched[0].modified_at == "2025-01-10T09:00:00+00:00"    # never adjusted: when it was graded


# --------------------------------------------------------------------------- exports


def moodle_entries():
    results = [result("jose-perez-1234", FULL, origin="José Pérez_1234_assignsubmission_file_", name="José Pérez",
                      lms="moodle", graded_at="2025-01-10T09:00:00+00:00"),
               result("rota-roto-9999", {}, origin="Rota Roto_9999_assignsubmission_file_entrega.zip",
                      name="Rota Roto", lms="moodle", problem="entrega.zip cannot be read (BadZipFile)",
                      graded_at="2025-01-10T09:05:00+00:00"),
               result("ana_b-4321", {"alpha": 1, "beta": 0, "gamma": 3}, origin="anab_4321_1_alpha.py", lms="canvas",
                      name="anab"),
               result("eva-4444", {}, origin="eva_4444_2_alpha.zip", lms="canvas", name="eva", problem="broken")]
    return gradebook.build(results, STEPS)[0]


def test_moodle_worksheet_leaves_an_unreadable_grade_blank_with_a_comment_and_dates_each_row():
    rows = list(csv.reader(io.StringIO(exports.moodle_worksheet(moodle_entries(), "es"))))
    assert rows[0] == list(exports.MOODLE_COLUMNS)
    jose, rota = rows[1], rows[2]
    assert jose[:5] == ["Participant 1234", "José Pérez", "10.00", "10.00", "2025-01-10 09:00:00 +0000"]
    assert rota[:5] == ["Participant 9999", "Rota Roto", "", "10.00", "2025-01-10 09:05:00 +0000"]
    assert jose[5].startswith("cnn-kata: 6 / 6 puntos; todos los pasos pasan")
    assert "no se pudo leer tu entrega" in rota[5]


def test_canvas_import_leaves_out_students_without_a_grade_and_lists_them():
    entries = moodle_entries()
    rows = list(csv.reader(io.StringIO(exports.canvas_gradebook(entries, "Práctica 3: CNN (9876)"))))
    assert rows[0][-1] == "Práctica 3: CNN (9876)" and rows[1][0] == "Points Possible"
    assert [(r[1], r[-1]) for r in rows[2:]] == [("4321", "6.67")]
    blank = list(csv.DictReader(io.StringIO(exports.left_blank(entries))))
    assert [(r["student_id"], r["status"]) for r in blank] == [("eva-4444", "unreadable"),
                                                               ("rota-roto-9999", "unreadable")]


def test_moodle_feedback_zip_names_each_folder_as_moodles_importer_reads_it():
    entries = moodle_entries()
    data = exports.moodle_feedback_zip(entries, {"jose-perez-1234": "<html>José</html>",
                                                 "rota-roto-9999": "<html>Rota</html>"}, "es")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert names == ["José Pérez_1234_assignsubmission_file_/comentarios.html",
                         "Rota Roto_9999_assignsubmission_file_/comentarios.html"]
        # Moodle splits each path part on "_" into name, participant, plugin type and plugin name.
        assert all(n.split("/")[0].split("_", 4)[1].isdigit() for n in names)
        assert archive.read(names[0]).decode() == "<html>José</html>"


# --------------------------------------------------------------------------- discovery


def test_os_and_tool_debris_and_the_output_folder_are_never_students(tmp_path):
    subs = tmp_path / "subs"
    (subs / "ana").mkdir(parents=True)
    (subs / "ana" / "alpha.py").write_text("A = 1\n")
    for junk in ("__pycache__", "__MACOSX", ".ipynb_checkpoints"):
        (subs / junk).mkdir()
    for junk in ("Thumbs.db", ".DS_Store", "desktop.ini", "~$notas.xlsx"):
        (subs / junk).write_text("x")
    out = subs / "graded"
    (out / "results").mkdir(parents=True)
    (out / "grades.csv").write_text("")
    old = subs / "old-run"
    (old / "results").mkdir(parents=True)
    (old / "gradebook.json").write_text("{}")
    found, ignored = submissions.discover(subs, ["alpha.py"], exclude=[out])
    assert [s.student for s in found] == ["ana"]
    assert sorted(line.split(":")[0] for line in ignored) == ["Thumbs.db", "__MACOSX", "__pycache__", "desktop.ini",
                                                               "graded", "old-run", "~$notas.xlsx"]


def test_a_folder_holding_several_lms_hand_ins_stops_and_names_the_folder_to_grade(tmp_path):
    download = tmp_path / "Downloads" / "CNN-Práctica 3-12345"
    for name in ("José Pérez_1234_assignsubmission_file_", "Ana Gil_5678_assignsubmission_file_"):
        (download / name).mkdir(parents=True)
        (download / name / "alpha.py").write_text("A = 1\n")
    with pytest.raises(submissions.SubmissionError) as caught:
        submissions.discover(tmp_path / "Downloads", ["alpha.py"])
    assert "holds the hand-ins of 2 students" in str(caught.value)
    assert f"kata dev grade '{download}' OUT" in str(caught.value)


def test_the_lms_download_zip_itself_is_read_like_its_unpacked_folder(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as own:
        own.writestr("entrega/exercises/alpha.py", "A = 2\n")
    download = tmp_path / "CNN-12345.zip"
    with zipfile.ZipFile(download, "w") as archive:
        archive.writestr("José Pérez_1234_assignsubmission_file_/alpha.py", "A = 1\n")
        archive.writestr("José Pérez_1234_assignsubmission_file_/backup/alpha.py", "A = 0\n")
        archive.writestr("Ana Gil_5678_assignsubmission_file_/entrega.zip", inner.getvalue())
        archive.writestr("Rota Roto_9999_assignsubmission_file_entrega.zip", b"not a zip")
        archive.writestr("garciaelena_LATE_4321_998877_alpha-1.py", "A = 3\n")
        archive.writestr("__MACOSX/._alpha.py", "x")
    found, ignored = submissions.discover(download, ["alpha.py"])
    by_id = {s.student: s for s in found}
    assert sorted(by_id) == ["ana-gil-5678", "garciaelena-4321", "jose-perez-1234", "rota-roto-9999"]
    assert by_id["jose-perez-1234"].modules == {"alpha.py": b"A = 1\n"} and by_id["jose-perez-1234"].lms == "moodle"
    assert by_id["jose-perez-1234"].copies == [{"module": "alpha.py", "graded": "alpha.py",
                                                "ignored": ["backup/alpha.py"]}]
    assert by_id["ana-gil-5678"].modules == {"alpha.py": b"A = 2\n"}
    assert by_id["garciaelena-4321"].late and by_id["garciaelena-4321"].modules == {"alpha.py": b"A = 3\n"}
    assert "BadZipFile" in by_id["rota-roto-9999"].problem
    assert ignored == ["__MACOSX: left by the operating system or a tool, not a hand-in"]


def test_two_copies_of_a_step_are_named_in_the_students_feedback():
    from kata_dev.grader import reports

    steps = [{"id": "alpha", "number": 1, "title": "Doble", "module": "alpha.py", "points": 1, "max_points": 1,
              "status": "passed", "passed": 2, "tests": 2, "faults": []}]
    stored = {"assignment": "cnn_kata", "student_id": "ana", "name": "Ana", "score": 1, "max_score": 1,
              "steps": steps, "tests": [], "notes": [],
              "copies": [{"module": "alpha.py", "graded": "exercises/alpha.py", "ignored": ["backup/alpha.py"]}]}
    text = reports.feedback_text(stored, "es")
    assert "**Varias copias de `alpha.py`:** se corrigió `exercises/alpha.py`, no `backup/alpha.py`" in text
    assert "Several copies" in reports.feedback_text(stored, "en")


def test_a_partial_result_never_counts_as_a_grade():
    entries, _ = gradebook.build([result("ana", {"beta": 2}, steps_graded=["beta"])], STEPS)
    assert entries[0].status == gradebook.INCOMPLETE and not entries[0].has_grade
    assert "graded only beta" in entries[0].notes[0]


def test_the_grades_csv_of_a_student_without_a_grade_is_blank_never_zero():
    from kata_dev.grader import reports

    entries, _ = gradebook.build([result("rota", {}, problem="broken"), result("ana", FULL)], STEPS)
    rows = {r["student_id"]: r for r in csv.DictReader(io.StringIO(reports.csv_text(entries, [s.id for s in STEPS])))}
    assert (rows["rota"]["alpha"], rows["rota"]["score"], rows["rota"]["grade_10"], rows["rota"]["status"]) == \
        ("", "", "", "unreadable")
    assert (rows["ana"]["score"], rows["ana"]["grade_10"], rows["ana"]["status"]) == ("6", "10", "graded")


def test_the_docs_cite_the_lms_sources_the_exports_follow():
    text = (Path(__file__).resolve().parents[2] / "docs" / "grading.md").read_text(encoding="utf-8")
    for source in ("importgradeslib.php", "importziplib.php", "gradebook_exporter.rb", "gradebook_importer.rb",
                   "action_redir.php"):
        assert source in text, source
