"""The instructor's journey, end to end, on the real kata: a class as Moodle and Canvas deliver it
is graded with Canvas's gradebook export as the roster, a file of grades changed by hand and the
assignment's real name; then two students are graded again after new hand-ins (one of them late),
and every output an instructor sends or imports is checked — the gradebook, the feedback, the
Moodle worksheet and feedback zip, the Canvas import.

The class (built here, nothing downloaded):

| entry | what it is |
|---|---|
| `José Pérez_1234_assignsubmission_file_/entrega.zip` | Moodle "in folders": the release, zipped whole (stubs in kata/pristine, the tests, his exercises solved) |
| `María Núñez_5678_assignsubmission_file_maria.tar.gz` | Moodle flat: a `.tar.gz` of her exercises, one step with a classic mistake |
| `Pedro Gil_2222_assignsubmission_file_/…` | Moodle "in folders": his own way of writing several steps |
| `Sara Ruiz_3333_assignsubmission_file_/…` | Pedro's files with every name changed and the lines moved: the copied pair |
| `garciaana_4321_998877_<module>.py` … | Canvas flat files, some re-submitted (`-1`), another way of writing other steps |
| `lopezluis_LATE_8765_…` | Canvas, late, the untouched stubs |
| `Rota Roto_9999_assignsubmission_file_entrega.zip` | a zip that is not a zip: unreadable |

The roster (Canvas's gradebook export) names Ana and Luis, with their sections, and Elena García,
who handed nothing in; the adjustments take a point from Pedro (late by a day, agreed in class) and
from Luis (late). The second run brings María's fixed maxpool2d and Luis's solved steps, late
again; the roster and the adjustments are not given again: OUT keeps them.
"""

import ast
import csv
import io
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from kata import manifest
from kata_dev import proof
from kata_dev.release import release

REPO = Path(__file__).resolve().parents[2]
PEDRO_STEPS = ("conv2d", "generate_network", "train")       # his own alternatives
ANA_STEPS = ("data", "fully_connected", "maxpool2d", "keras_model")
FEEDBACK_LIMIT_EMPTY = 60
ASSIGNMENT = "Práctica 3: CNN"
ROSTER = """\
Student,ID,SIS User ID,SIS Login ID,Section,Práctica 2: MLP (9875),Práctica 3: CNN (9876),Current Score
    Points Possible,,,,,10.00,10.00,(read only)
"García, Ana",4321,A-4321,agarcia,Grupo A,8.50,,
"López, Luis",8765,A-8765,llopez,Grupo B,7.00,,
"García, Elena",5555,A-5555,egarcia,Grupo A,9.00,,
"""
ADJUSTMENTS = """\
student,step,points,reason
pedro-gil-2222,total,-1,entregado un día tarde (acordado en clase)
lopezluis-8765,total,-1,entrega fuera de plazo
"""

pytestmark = pytest.mark.slow


def solutions() -> dict:
    """{file name: the reference module without its solution markers}."""
    return {s.filename: _plain(REPO / "solutions" / s.filename) for s in manifest.steps(REPO)}


def _plain(path: Path) -> str:
    return "".join(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
                   if not line.strip().startswith("### "))


def variant(kind: str, step_id: str) -> str:
    """The one mutant or alternative file of `kind` for a step (the first, by name)."""
    found = [v for v in proof.variants(kind) if v.step_id == step_id]
    return proof.variant_source(found[0])


def disguise(text: str) -> str:
    """What a copier does: every local variable renamed, comments dropped, the code laid out anew
    (the parameters keep their names: the tests call the functions with keywords)."""
    tree = ast.parse(text)
    params = {a.arg for node in ast.walk(tree) if isinstance(node, ast.arguments)
              for a in [*node.posonlyargs, *node.args, *node.kwonlyargs, node.vararg, node.kwarg] if a}
    local = {n.id for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) for n in ast.walk(f)
             if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)} - params

    class Rename(ast.NodeTransformer):
        def visit_Name(self, node):
            if node.id in local:
                node.id = f"mi_{node.id}"
            return node

    return ast.unparse(Rename().visit(tree)) + "\n"


def pedro_files() -> dict:
    files = solutions()
    for step_id in PEDRO_STEPS:
        files[manifest.get(step_id, REPO).filename] = variant("alternatives", step_id)
    return files


def pedro_own() -> set:
    return {manifest.get(step_id, REPO).filename for step_id in PEDRO_STEPS}


def build_class(base: Path) -> Path:
    """The submissions folder, as the LMS gives it (see the module docstring)."""
    subs = base / "submissions"
    subs.mkdir(parents=True)
    solved = solutions()

    bundle = release(base / "bundle")                      # José: the whole release, zipped
    for name, text in solved.items():
        (bundle.out / "exercises" / name).write_text(text, encoding="utf-8")
    jose = subs / "José Pérez_1234_assignsubmission_file_"
    jose.mkdir()
    with zipfile.ZipFile(jose / "entrega.zip", "w") as archive:
        for path in sorted(bundle.out.rglob("*")):
            if path.is_file():
                archive.write(path, f"cnn-kata/{path.relative_to(bundle.out).as_posix()}")

    maria = {**solved, "maxpool2d.py": variant("mutants", "maxpool2d")}   # María: a .tar.gz, one mistake
    with tarfile.open(subs / "María Núñez_5678_assignsubmission_file_maria.tar.gz", "w:gz") as archive:
        for name, text in maria.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(f"maria/exercises/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))

    for folder, files in (("Pedro Gil_2222_assignsubmission_file_", pedro_files()),
                          ("Sara Ruiz_3333_assignsubmission_file_",
                           {name: disguise(text) if name in pedro_own() else text
                            for name, text in pedro_files().items()})):
        (subs / folder).mkdir()
        for name, text in files.items():
            (subs / folder / name).write_text(text, encoding="utf-8")

    ana = dict(solved)                                                   # Ana: Canvas flat files
    for step_id in ANA_STEPS:
        ana[manifest.get(step_id, REPO).filename] = variant("alternatives", step_id)
    for number, (name, text) in enumerate(sorted(ana.items())):
        shown = name.replace(".py", "-1.py") if number % 3 == 0 else name    # Canvas renames re-submissions
        (subs / f"garciaana_4321_{998800 + number}_{shown}").write_text(text, encoding="utf-8")
    for number, step in enumerate(manifest.steps(REPO)):               # Luis: late, the stubs
        stub = (REPO / "exercises" / step.filename).read_text(encoding="utf-8")
        (subs / f"lopezluis_LATE_8765_{997700 + number}_{step.filename}").write_text(stub, encoding="utf-8")
    (subs / "__pycache__").mkdir()                                     # debris that is no student
    (subs / "Thumbs.db").write_bytes(b"\0" * 64)

    (subs / "Rota Roto_9999_assignsubmission_file_entrega.zip").write_bytes(b"this is not a zip file")
    return subs


def grade(subs: Path, out: Path, *extra) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kata", "dev", "grade", str(subs), str(out), "-j", "2",
                           "--lang", "es", *extra], cwd=REPO, capture_output=True, text=True, timeout=1500)


def rows(text: str) -> dict:
    """grades.csv's rows by student id."""
    return {row["student_id"]: row for row in csv.DictReader(io.StringIO(text))}


def texts(out: Path) -> dict:
    """The files an instructor reads or uploads, as text."""
    return {name: (out / name).read_text(encoding="utf-8") for name in
            ("grades.csv", "exports/moodle_grading_worksheet.csv", "exports/canvas_gradebook.csv",
             "exports/left_blank.csv", "feedback/lopezluis-8765.md")}


@pytest.fixture(scope="module")
def journey(tmp_path_factory):
    """Grade the class with a roster, adjustments and the assignment's name; then María's fixed
    hand-in and Luis's late one with --resume (José's, unchanged, beside them); keep both states."""
    base = tmp_path_factory.mktemp("lms")
    subs, out = build_class(base), base / "out"
    (base / "roster.csv").write_text(ROSTER, encoding="utf-8")
    (base / "adjustments.csv").write_text(ADJUSTMENTS, encoding="utf-8")
    begin = time.monotonic()
    first = grade(subs, out, "--roster", str(base / "roster.csv"), "--adjustments", str(base / "adjustments.csv"),
                  "--assignment", ASSIGNMENT)
    seconds = time.monotonic() - begin
    before = texts(out)
    refused = grade(subs, out)                                 # OUT holds grades: refused without a flag
    again = base / "again"
    shutil.copytree(subs / "José Pérez_1234_assignsubmission_file_", again / "José Pérez_1234_assignsubmission_file_")
    maria_again = again / "María Núñez_5678_assignsubmission_file_"
    maria_again.mkdir()
    for name, text in solutions().items():
        (maria_again / name).write_text(text, encoding="utf-8")
    for number, (name, text) in enumerate(sorted(solutions().items())):    # Luis, late again, every step solved
        (again / f"lopezluis_LATE_8765_{996600 + number}_{name}").write_text(text, encoding="utf-8")
    second = grade(again, out, "--resume")
    return {"subs": subs, "out": out, "first": first, "refused": refused, "second": second, "before": before,
            "after": texts(out), "seconds": seconds}


def test_every_student_has_a_row_and_an_unreadable_submission_ends_the_run_non_zero(journey):
    first = journey["first"]
    assert first.returncode == 1, first.stdout + first.stderr
    assert "rota-roto-9999" in first.stderr
    assert "ignored: Thumbs.db" in first.stdout and "ignored: __pycache__" in first.stdout
    table = rows(journey["before"]["grades.csv"])
    assert sorted(table) == ["elena-garcia-5555", "garciaana-4321", "jose-perez-1234", "lopezluis-8765",
                             "maria-nunez-5678", "pedro-gil-2222", "rota-roto-9999", "sara-ruiz-3333"]
    assert table["jose-perez-1234"]["name"] == "José Pérez" and table["jose-perez-1234"]["lms"] == "moodle"
    assert table["lopezluis-8765"]["late"] == "yes" and table["garciaana-4321"]["lms"] == "canvas"
    assert (table["garciaana-4321"]["name"], table["garciaana-4321"]["section"]) == ("Ana García", "Grupo A")
    assert (table["rota-roto-9999"]["score"], table["rota-roto-9999"]["grade_10"], table["rota-roto-9999"]["status"]) \
        == ("", "", "unreadable") and table["rota-roto-9999"]["problem"]
    assert (table["elena-garcia-5555"]["score"], table["elena-garcia-5555"]["status"]) == ("", "not handed in")
    total = sum(s.points for s in manifest.steps(REPO))
    maxpool = manifest.get("maxpool2d", REPO).points
    assert {k: float(r["graded_score"]) for k, r in table.items() if r["graded_score"]} == {
        "garciaana-4321": total, "jose-perez-1234": total, "lopezluis-8765": 0, "maria-nunez-5678": total - maxpool,
        "pedro-gil-2222": total, "sara-ruiz-3333": total}
    assert (table["pedro-gil-2222"]["score"], table["pedro-gil-2222"]["adjustment"]) == (f"{total - 1}", "-1")
    assert float(table["maria-nunez-5678"]["grade_10"]) == round(10 * (total - maxpool) / total, 2)
    assert "not on the roster" in first.stdout           # the Moodle hand-ins, with a Canvas roster


def test_an_existing_output_is_never_overwritten_without_resume_or_force(journey):
    refused = journey["refused"]
    assert refused.returncode == 2 and "--resume" in refused.stderr and "--force" in refused.stderr


def test_grading_two_students_again_merges_their_rows_keeps_the_others_and_the_adjustments(journey):
    second = journey["second"]
    assert second.returncode == 0, second.stdout + second.stderr
    before, after = rows(journey["before"]["grades.csv"]), rows(journey["after"]["grades.csv"])
    assert sorted(after) == sorted(before)
    total = sum(s.points for s in manifest.steps(REPO))
    assert float(after["maria-nunez-5678"]["score"]) == total      # graded again: her fix counts
    luis = after["lopezluis-8765"]                                 # graded again, late: the adjustment still applies
    assert (luis["graded_score"], luis["score"], luis["adjustment"], luis["late"]) == (f"{total}", f"{total - 1}",
                                                                                         "-1", "yes")
    for student in set(before) - {"maria-nunez-5678", "lopezluis-8765"}:
        assert after[student] == before[student], student          # times included: not graded again
    assert after["maria-nunez-5678"]["graded_at"] > before["maria-nunez-5678"]["graded_at"]
    assert "kept 4 earlier result(s)" in second.stdout


def test_the_feedback_is_bounded_worded_for_the_student_and_in_markdown_and_html(journey):
    feedback = journey["out"] / "feedback"
    empty = journey["before"]["feedback/lopezluis-8765.md"]         # Luis's first hand-in: the stubs
    assert len(empty.splitlines()) <= FEEDBACK_LIMIT_EMPTY
    assert "Sin empezar" in empty and "Traceback" not in empty
    for path in feedback.glob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"/(tmp|work|root|home|usr)/", text), (path.name, text)
        assert "several copies" not in text and "pristine" not in text and "Traceback" not in text
        assert text.startswith(f"# {ASSIGNMENT} · ")
        assert ("sobre 10" in text) != (path.stem == "rota-roto-9999"), path.name      # no grade: no 0 either
        assert (feedback / f"{path.stem}.html").is_file()
    luis = (feedback / "lopezluis-8765.md").read_text(encoding="utf-8")    # graded again: the adjustment stays
    assert "# Práctica 3: CNN · Luis López" in luis and "entrega fuera de plazo" in luis and "Entregado fuera de plazo" in luis
    rota = (feedback / "rota-roto-9999.md").read_text(encoding="utf-8")
    assert "Sin nota todavía" in rota and "| 0 /" not in rota
    maria = (feedback / "maria-nunez-5678.md").read_text(encoding="utf-8")   # graded again: all pass now
    assert "✗" not in maria
    jose = (feedback / "jose-perez-1234.md").read_text(encoding="utf-8")
    assert jose.count("✓") == len(manifest.steps(REPO))
    assert "Varias copias" not in jose          # the release's kata/commands/train.py is the kata's, not a copy
    assert "<table>" in (feedback / "jose-perez-1234.html").read_text(encoding="utf-8")


def worksheet(text: str) -> dict:
    return {row[0]: row for row in list(csv.reader(io.StringIO(text)))[1:]}


def test_the_moodle_worksheet_is_imported_as_it_is(journey):
    before = worksheet(journey["before"]["exports/moodle_grading_worksheet.csv"])
    text = journey["after"]["exports/moodle_grading_worksheet.csv"]
    assert text.splitlines()[0] == "Identifier,Full name,Grade,Maximum Grade,Last modified (grade),Feedback comments"
    ids = worksheet(text)
    assert sorted(ids) == ["Participant 1234", "Participant 2222", "Participant 3333", "Participant 5678",
                           "Participant 9999"]
    assert ids["Participant 1234"][1:4] == ["José Pérez", "10.00", "10.00"]
    total = sum(s.points for s in manifest.steps(REPO))
    assert ids["Participant 2222"][2] == f"{10 * (total - 1) / total:.2f}"           # Pedro, adjusted by hand
    assert ids["Participant 9999"][2] == "" and "vuelve a enviarla" in ids["Participant 9999"][5]   # blank, never 0
    assert "puntos" in ids["Participant 1234"][5] and "points" not in ids["Participant 1234"][5]    # the class's language
    # "Last modified (grade)": when each student was graded; unchanged for those not graded again.
    for participant in ("Participant 1234", "Participant 2222", "Participant 3333", "Participant 9999"):
        assert ids[participant][4] == before[participant][4], participant
    assert ids["Participant 5678"][4] > before["Participant 5678"][4]
    assert len({row[4] for row in before.values()}) > 1             # not one export time for every row


def test_the_moodle_feedback_zip_brings_every_feedback_back_in_one_upload(journey):
    with zipfile.ZipFile(journey["out"] / "exports" / "moodle_feedback_files.zip") as archive:
        names = archive.namelist()
        assert "José Pérez_1234_assignsubmission_file_/comentarios.html" in names and len(names) == 5
        pedro = archive.read("Pedro Gil_2222_assignsubmission_file_/comentarios.html").decode("utf-8")
    assert "entregado un día tarde" in pedro and ASSIGNMENT in pedro


def test_the_canvas_import_uses_the_real_assignment_column_real_names_and_sections(journey):
    canvas = list(csv.reader(io.StringIO(journey["after"]["exports/canvas_gradebook.csv"])))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", f"{ASSIGNMENT} (9876)"]
    assert canvas[1] == ["Points Possible", "", "", "", "", "10.00"]
    total = sum(s.points for s in manifest.steps(REPO))
    assert canvas[2:] == [["García, Ana", "4321", "A-4321", "agarcia", "Grupo A", "10.00"],
                          ["López, Luis", "8765", "A-8765", "llopez", "Grupo B", f"{10 * (total - 1) / total:.2f}"]]
    blank = {row["student_id"]: row["status"] for row in
             csv.DictReader(io.StringIO(journey["after"]["exports/left_blank.csv"]))}
    assert blank == {"elena-garcia-5555": "not handed in", "rota-roto-9999": "unreadable"}


def test_the_class_report_counts_the_class_and_flags_only_the_copied_pair(journey):
    report = journey["out"] / "report"
    text = (report / "index.md").read_text(encoding="utf-8")
    assert "Estudiantes · students: **8**" in text and "sin leer · unreadable: 1" in text
    assert "sin entregar · not handed in: 1" in text and "## Para revisar · To settle before signing" in text
    maxpool = manifest.get("maxpool2d", REPO)
    assert re.search(rf"\| {maxpool.number} \| `maxpool2d` .*\| 6 / 6 \|", text), text   # graded hand-ins: all pass now
    assert "| pedro-gil-2222 | sara-ruiz-3333 |" in text
    assert text.count("| pedro-gil-2222 |") == 2            # once as a pair, once as a student: no other pair
    assert "- pedro-gil-2222: total −1 (18 → 17) — entregado un día tarde (acordado en clase)" in text
    for image in ("scores.png", "steps.png"):
        assert (report / image).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    html = (report / "similarity.html").read_text(encoding="utf-8")
    assert "pedro-gil-2222" in html and "sara-ruiz-3333" in html
    assert (report / "index.html").is_file()
