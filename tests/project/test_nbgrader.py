"""The nbgrader course, end to end, with the real nbgrader in a temporary course directory.

generate_assignment → three submissions (all solved, the stubs, one step wrong) → autograde →
export to CSV → generate_feedback. Executing the notebooks needs a Jupyter kernel for this
Python: ipykernel's built-in `python3` kernel (no `ipykernel install` needed; jupyter_client
runs it with the current interpreter).
"""

import csv
import json
import re
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kata_dev.nbgrader_source import ASSIGNMENT, COURSE_DIR, grade_id, notebook_files
from kata import manifest

REPO = Path(__file__).resolve().parents[2]
SOURCE = f"{COURSE_DIR}/source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"


def test_the_committed_source_notebook_is_what_kata_build_writes():
    assert (REPO / SOURCE).read_text() == notebook_files(REPO)[SOURCE]


def test_every_step_has_an_answer_cell_and_a_locked_test_cell_worth_its_points():
    nb = json.loads(notebook_files(REPO)[SOURCE])
    meta = {c["id"]: c["metadata"].get("nbgrader", {}) for c in nb["cells"]}
    for step in manifest.steps(REPO):
        assert meta[f"{step.id}-answer"]["solution"] and not meta[f"{step.id}-answer"]["locked"]
        tests = meta[f"{step.id}-tests"]
        assert tests["grade"] and tests["locked"] and tests["points"] == step.points
    assert sum(m.get("points", 0) for m in meta.values()) == sum(s.points for s in manifest.steps(REPO))


def test_the_graded_cells_are_named_by_the_steps_number_and_title():
    nb = json.loads(notebook_files(REPO)[SOURCE])
    graded = [c["metadata"]["nbgrader"]["grade_id"] for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]
    assert graded == [grade_id(s) for s in manifest.steps(REPO)]
    conv2d = manifest.get("conv2d", REPO)
    assert grade_id(conv2d).startswith(f"{conv2d.number:02d}-capa-convolucional")


def test_each_step_explains_itself_and_folds_its_hints_one_inside_the_other():
    cells = {c["id"]: "".join(c["source"]) for c in json.loads(notebook_files(REPO)[SOURCE])["cells"]}
    for step in manifest.steps(REPO):
        text = cells[f"{step.id}-title"]
        assert manifest.lesson(step, REPO).text("es").splitlines()[0] in text
        outside = text.split("<details>", 1)[0]
        assert not any(hint in outside for hint in step.hints("es") + step.hints("en")), step.id
        opened = [text.index(f"<summary>Pista {n} · Hint {n}</summary>") for n in (1, 2, 3)]
        assert opened == sorted(opened) and text.index(step.hints("es")[2]) > text.index("Pista 3")
        assert text.count("<details>") == text.count("</details>") == len(step.hints("es"))


def test_nbgrader_export_writes_into_the_course_folder_which_git_ignores():
    config = (REPO / COURSE_DIR / "nbgrader_config.py").read_text()
    assert 'c.ExportPlugin.to = os.path.join(c.CourseDirectory.root, "grades.csv")' in config
    ignored = subprocess.run(["git", "check-ignore", f"{COURSE_DIR}/grades.csv", f"{COURSE_DIR}/gradebook.db"],
                             cwd=REPO, capture_output=True, text=True)
    assert ignored.stdout.split() == [f"{COURSE_DIR}/grades.csv", f"{COURSE_DIR}/gradebook.db"]


def nbgrader(course: Path, *args):
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(course / ".jupyter"), "KATA_LANG": "en",
           "JUPYTER_DATA_DIR": str(course / ".jupyter-data"), "TF_CPP_MIN_LOG_LEVEL": "2",
           "CUDA_VISIBLE_DEVICES": "", "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def submit(course: Path, student: str, answers: dict):
    """The released notebook with some answer cells replaced, as `student`'s submission."""
    nb = json.loads((course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    for cell in nb["cells"]:
        if cell["id"] in answers:
            cell["source"] = answers[cell["id"]]
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(nb))


def solved_answers() -> dict:
    """Every answer cell of the source notebook, without the solution markers."""
    nb = json.loads(notebook_files(REPO)[SOURCE])
    return {c["id"]: "\n".join(line for line in "".join(c["source"]).splitlines() if "### " not in line)
            for c in nb["cells"] if c["id"].endswith("-answer")}


@pytest.mark.slow
def test_nbgrader_grades_solved_stub_and_one_wrong_step_submissions(tmp_path):
    course = tmp_path / "course"
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    shutil.copy(REPO / SOURCE, course / "source" / ASSIGNMENT)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"load_subconfig({str(REPO / COURSE_DIR / 'nbgrader_config.py')!r})\n"
        f"c.CourseDirectory.root = {str(course)!r}\n")
    nbgrader(course, "generate_assignment", ASSIGNMENT)
    release = json.loads((course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    answer = "".join(next(c for c in release["cells"] if c["id"] == "conv2d-answer")["source"])
    assert "not implemented yet: fill in this cell" in answer and "tf.nn.bias_add" not in answer

    solved = solved_answers()
    wrong = {**solved, "maxpool2d-answer": solved["maxpool2d-answer"].replace('padding="SAME"', 'padding="VALID"')}
    assert wrong != solved
    submit(course, "ana", solved)
    submit(course, "bruno", {})
    submit(course, "carla", wrong)
    graded = nbgrader(course, "autograde", ASSIGNMENT)
    nbgrader(course, "export", "--to", str(tmp_path / "grades.csv"))

    # nbgrader puts the hidden tests back by overwriting their cells, and says so once per such
    # cell and student; any other "has changed" would be real tampering.
    hidden = {grade_id(manifest.get(p.stem.removeprefix("test_"), REPO))
              for p in (REPO / "tests" / "hidden").glob("test_*.py")}
    changed = set(re.findall(r"Attribute 'checksum' for cell (\S+) has changed", graded.stdout + graded.stderr))
    assert changed == hidden
    assert (graded.stdout + graded.stderr).count("has changed") == 3 * len(hidden)
    ana = json.loads((course / "autograded" / "ana" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    ran = {c["id"]: "".join("".join(o.get("text", "")) for o in c.get("outputs", [])) for c in ana["cells"]}
    for step_id in (p.stem.removeprefix("test_") for p in (REPO / "tests" / "hidden").glob("test_*.py")):
        assert ran[f"{step_id}-tests"].count(f"✓ {step_id}") == 2, ran[f"{step_id}-tests"]   # public and hidden

    with open(tmp_path / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    total = sum(s.points for s in manifest.steps(REPO))
    maxpool = manifest.get("maxpool2d", REPO).points
    assert {k: float(r["score"]) for k, r in rows.items()} == {"ana": total, "bruno": 0, "carla": total - maxpool}
    assert {float(r["max_score"]) for r in rows.values()} == {total}

    nbgrader(course, "generate_feedback", ASSIGNMENT)
    secret = hidden_test_lines(release)
    assert len(secret) > 20
    for student in ("ana", "bruno", "carla"):
        html = (course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
        assert student in html or "Score" in html
        shown = page_text(html)
        quoted = sorted(line for line in secret if line in shown)
        assert quoted == [], f"{student}'s feedback shows the hidden tests: {quoted[:5]}"
        assert "tests ocultos del profesor" in shown
    carla = (course / "feedback" / "carla" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "maxpool2d" in carla and "AssertionError" in carla


def hidden_test_lines(release: dict) -> set:
    """The lines of tests/hidden/ that a student never sees: long enough to be telling, and in no cell
    of the notebook students receive."""
    public = "\n".join("".join(c["source"]) for c in release["cells"])
    lines = {line.strip() for path in (REPO / "tests" / "hidden").glob("test_*.py")
             for line in path.read_text(encoding="utf-8").splitlines()}
    return {line for line in lines if len(line) >= 16 and line not in public}


def page_text(html: str) -> str:
    """An HTML page's text as a reader sees it: no tags (syntax highlighting splits code in spans)."""
    import html as markup

    return markup.unescape(re.sub(r"<[^>]+>", "", html))


SECRET = "def test_secret_padding(load_step):\n    assert load_step('conv2d').conv2d(x, w, b).shape == (1, 4, 4, 2)\n"


def test_the_feedback_preprocessor_leaves_no_line_of_a_hidden_test_in_a_cell_or_its_outputs():
    from nbformat.v4 import new_code_cell, new_output

    from kata_dev.nbgrader_feedback import PLACEHOLDER, HideHiddenTests

    quote = "'" * 3
    cell = new_code_cell(f"check_step('conv2d')\n### BEGIN HIDDEN TESTS\ncheck_hidden('conv2d', r{quote}{SECRET}{quote})\n"
                         f"### END HIDDEN TESTS")
    cell.outputs = [new_output("stream", name="stdout", text="✓ conv2d: 9 de 9 tests pasan\n"),
                    new_output("error", ename="AssertionError", evalue="✗ conv2d: test_secret_padding falla",
                               traceback=[f"----> 3 check_hidden('conv2d', r{quote}def test_secret_padding(load_step):",
                                          "    assert load_step('conv2d').conv2d(x, w, b).shape == (1, 4, 4, 2)"]),
                    new_output("stream", name="stderr", text="E  assert load_step('conv2d').conv2d(x, w, b).shape == "
                                                              "(1, 4, 4, 2)\nsee above\n")]
    assert HideHiddenTests().enabled          # nbconvert skips a preprocessor that is not
    cleaned, _ = HideHiddenTests().preprocess_cell(cell, {}, 0)
    everything = cleaned.source + str(cleaned.outputs)
    assert "load_step('conv2d').conv2d(x, w, b)" not in everything and "def test_secret_padding" not in everything
    assert cleaned.source == f"check_step('conv2d')\n{PLACEHOLDER}"
    assert cleaned.outputs[1]["traceback"] == ["AssertionError: ✗ conv2d: test_secret_padding falla"]
    assert cleaned.outputs[0]["text"] == "✓ conv2d: 9 de 9 tests pasan\n"
    assert cleaned.outputs[2]["text"] == "see above\n"
