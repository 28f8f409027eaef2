"""The instructor's journey, end to end, on the real kata: a class as Moodle and Canvas deliver it
is graded, one student is graded again after a new hand-in, and every output an instructor sends
or imports is checked.

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

    (subs / "Rota Roto_9999_assignsubmission_file_entrega.zip").write_bytes(b"this is not a zip file")
    return subs


def grade(subs: Path, out: Path, *extra) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kata", "dev", "grade", str(subs), str(out), "-j", "2",
                           "--lang", "es", *extra], cwd=REPO, capture_output=True, text=True, timeout=1500)


def rows(text: str) -> dict:
    """grades.csv's rows by student id."""
    return {row["student_id"]: row for row in csv.DictReader(io.StringIO(text))}


@pytest.fixture(scope="module")
def journey(tmp_path_factory):
    """Grade the class, then José's new hand-in alone with --resume; keep both outputs' texts."""
    base = tmp_path_factory.mktemp("lms")
    subs, out = build_class(base), base / "out"
    begin = time.monotonic()
    first = grade(subs, out)
    seconds = time.monotonic() - begin
    before = (out / "grades.csv").read_text(encoding="utf-8")
    refused = grade(subs, out)                                 # OUT holds grades: refused without a flag
    again = base / "again"              # María hands in a fixed maxpool2d: graded again with José (unchanged)
    shutil.copytree(subs / "José Pérez_1234_assignsubmission_file_", again / "José Pérez_1234_assignsubmission_file_")
    maria_again = again / "María Núñez_5678_assignsubmission_file_"
    maria_again.mkdir()
    for name, text in solutions().items():
        (maria_again / name).write_text(text, encoding="utf-8")
    second = grade(again, out, "--resume")
    return {"subs": subs, "out": out, "first": first, "refused": refused, "second": second, "before": before,
            "seconds": seconds}


def test_every_student_has_a_row_and_an_unreadable_submission_ends_the_run_non_zero(journey):
    first = journey["first"]
    assert first.returncode == 1, first.stdout + first.stderr
    assert "rota-roto-9999" in first.stderr
    table = rows(journey["before"])
    assert sorted(table) == ["garciaana-4321", "jose-perez-1234", "lopezluis-8765", "maria-nunez-5678",
                             "pedro-gil-2222", "rota-roto-9999", "sara-ruiz-3333"]
    assert table["jose-perez-1234"]["name"] == "José Pérez" and table["jose-perez-1234"]["lms"] == "moodle"
    assert table["lopezluis-8765"]["late"] == "yes" and table["garciaana-4321"]["lms"] == "canvas"
    assert table["rota-roto-9999"]["problem"] and table["rota-roto-9999"]["score"] == "0"
    total = sum(s.points for s in manifest.steps(REPO))
    maxpool = manifest.get("maxpool2d", REPO).points
    assert {k: float(r["score"]) for k, r in table.items()} == {
        "garciaana-4321": total, "jose-perez-1234": total, "lopezluis-8765": 0, "maria-nunez-5678": total - maxpool,
        "pedro-gil-2222": total, "rota-roto-9999": 0, "sara-ruiz-3333": total}
    assert float(table["maria-nunez-5678"]["grade_10"]) == round(10 * (total - maxpool) / total, 2)


def test_an_existing_output_is_never_overwritten_without_resume_or_force(journey):
    refused = journey["refused"]
    assert refused.returncode == 2 and "--resume" in refused.stderr and "--force" in refused.stderr


def test_grading_one_student_again_merges_the_row_and_keeps_the_others(journey):
    second, out = journey["second"], journey["out"]
    assert second.returncode == 0, second.stdout + second.stderr
    before = rows(journey["before"])
    after = rows((out / "grades.csv").read_text(encoding="utf-8"))
    assert sorted(after) == sorted(before)
    total = sum(s.points for s in manifest.steps(REPO))
    assert float(after["maria-nunez-5678"]["score"]) == total      # graded again: her fix counts
    for student in set(before) - {"maria-nunez-5678"}:
        assert after[student] == before[student], student
    assert "kept 5 earlier result(s)" in second.stdout


def test_the_feedback_is_bounded_worded_for_the_student_and_in_markdown_and_html(journey):
    feedback = journey["out"] / "feedback"
    empty = (feedback / "lopezluis-8765.md").read_text(encoding="utf-8")
    assert len(empty.splitlines()) <= FEEDBACK_LIMIT_EMPTY
    assert "Sin empezar" in empty and "Traceback" not in empty
    for path in feedback.glob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"/(tmp|work|root|home|usr)/", text), (path.name, text)
        assert "several copies" not in text and "pristine" not in text and "Traceback" not in text
        assert text.startswith("# cnn_kata · ") and "sobre 10" in text
        assert (feedback / f"{path.stem}.html").is_file()
    maria = (feedback / "maria-nunez-5678.md").read_text(encoding="utf-8")   # graded again: all pass now
    assert "✗" not in maria
    jose = (feedback / "jose-perez-1234.md").read_text(encoding="utf-8")
    assert jose.count("✓") == len(manifest.steps(REPO))
    assert "<table>" in (feedback / "jose-perez-1234.html").read_text(encoding="utf-8")


def test_the_exports_have_the_columns_moodle_and_canvas_import(journey):
    out = journey["out"]
    moodle = list(csv.reader((out / "exports" / "moodle_grading_worksheet.csv").open(encoding="utf-8")))
    assert moodle[0] == ["Identifier", "Full name", "Grade", "Maximum Grade", "Last modified (grade)",
                         "Feedback comments"]
    ids = {row[0]: row for row in moodle[1:]}
    assert sorted(ids) == ["Participant 1234", "Participant 2222", "Participant 3333", "Participant 5678",
                           "Participant 9999"]
    assert ids["Participant 1234"][1:4] == ["José Pérez", "10.00", "10.00"]
    canvas = list(csv.reader((out / "exports" / "canvas_gradebook.csv").open(encoding="utf-8")))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "cnn_kata"]
    assert canvas[1] == ["Points Possible", "", "", "", "", "10.00"]
    assert sorted((row[1], row[5]) for row in canvas[2:]) == [("4321", "10.00"), ("8765", "0.00")]


def test_the_class_report_counts_the_class_and_flags_only_the_copied_pair(journey):
    report = journey["out"] / "report"
    text = (report / "index.md").read_text(encoding="utf-8")
    assert "Estudiantes · students: **7**" in text and "sin leer · unreadable: 1" in text
    maxpool = manifest.get("maxpool2d", REPO)
    assert re.search(rf"\| {maxpool.number} \| `maxpool2d` .*\| 5 / 7 \|", text), text   # after María's fix: Luis and Rota fail
    assert "| pedro-gil-2222 | sara-ruiz-3333 |" in text
    assert text.count("| pedro-gil-2222 |") == 2            # once as a pair, once as a student: no other pair
    for image in ("scores.png", "steps.png"):
        assert (report / image).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    html = (report / "similarity.html").read_text(encoding="utf-8")
    assert "pedro-gil-2222" in html and "sara-ruiz-3333" in html
    assert (report / "index.html").is_file()
