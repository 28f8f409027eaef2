"""The nbgrader source notebook, generated from the solutions and the manifest (`kata dev build`).

One assignment, `cnn_kata`, with one notebook holding every step in course order: a markdown
cell with the step's title, its lesson (Spanish, English) and its hints folded one inside the
other (each opens only after the one before); an autograded answer cell with the step's module
(the solution markers stay: nbgrader's generate_assignment turns each marked region into the
stub); and a locked test cell worth the step's points that runs the repository's own tests of
that step and, when `tests/hidden/test_<step>.py` exists, that file too, inside the cell's
hidden-test block (which generate_assignment removes from the students' copy and autograde puts
back). Steps without hidden tests get no hidden block. The graded cells' grade ids are made from
the step's number and title, so nbgrader's forms and feedback name the step. A step's points are
all or nothing, exactly as in `kata dev grade`.
"""

import re
import unicodedata
from pathlib import Path

from kata import manifest
from kata_dev.notebooks import notebook_json

ASSIGNMENT = "cnn_kata"
COURSE_DIR = "course"   # nbgrader's course directory, with nbgrader_config.py


def notebook_files(root) -> dict:
    """{relative path: notebook JSON text}."""
    root = Path(root)
    steps = manifest.steps(root)
    if not steps:
        return {}
    cells = [_markdown("intro", INTRO), _setup_cell()]
    for step in steps:
        cells.extend(_step_cells(root, step))
    return {f"{COURSE_DIR}/source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb": notebook_json(cells)}


INTRO = """\
# cnn-kata · Fashion-MNIST CNN

Completa cada celda de respuesta: su primera línea (`%%kata_module NOMBRE`) la guarda como
`NOMBRE.py`, así que los pasos siguientes la importan como en la kata (`from conv2d import conv2d`).
La celda de tests de cada paso ejecuta los mismos tests que `pytest`; el paso suma sus puntos
solo si pasan todos. ¿Atascado? Abre las pistas de cada paso de una en una.

Fill in every answer cell: its first line (`%%kata_module NAME`) saves it as `NAME.py`, so later
steps import it as in the kata (`from conv2d import conv2d`). Each step's test cell runs the same
tests as `pytest`; a step earns its points only when all of them pass. Stuck? Open each step's
hints one at a time."""


def _meta(grade_id: str, *, grade=False, solution=False, locked=False, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _markdown(cell_id: str, source: str, metadata=None) -> dict:
    return {"cell_type": "markdown", "id": cell_id, "metadata": metadata or {}, "source": source}


def _code(cell_id: str, source: str, metadata) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": cell_id, "metadata": metadata,
            "outputs": [], "source": source}


def _setup_cell() -> dict:
    source = "from kata.nbgrader_cells import check_hidden, check_step, setup\n\nsetup()"
    return _code("setup", source, _meta("setup", locked=True))


def grade_id(step) -> str:
    """The step's number and Spanish title as an id nbgrader shows: `03-capa-convolucional-…`."""
    plain = unicodedata.normalize("NFKD", step.title("es")).encode("ascii", "ignore").decode().lower()
    return f"{step.number:02d}-" + re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:60].rstrip("-")


def hints_markdown(step) -> str:
    """The hints folded one inside the other: each opens only once the one before is open."""
    folded = ""
    for number, (es, en) in reversed(list(enumerate(zip(step.hints("es"), step.hints("en")), start=1))):
        folded = (f"<details><summary>Pista {number} · Hint {number}</summary>\n\n{es}\n\n*{en}*\n\n"
                  f"{folded}</details>\n")
    return folded


def hidden_source(root: Path, step):
    """The step's instructor-only tests (tests/hidden/test_<step>.py), or None."""
    path = root / "tests" / "hidden" / f"test_{step.id}.py"
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _literal(text: str) -> str:
    """`text` as a readable Python string literal: raw and triple-quoted when it can be."""
    if "\'\'\'" not in text and not text.endswith("\\"):
        return "r\'\'\'" + text + "\'\'\'"
    return repr(text)


def _step_cells(root: Path, step) -> list:
    lesson = manifest.lesson(step, root)
    explanation = "".join(f"{text}\n\n" for text in (lesson.text("es"), f"*{lesson.text('en')}*" if lesson.text("en") else "")
                          if text)
    title = (f"## {step.number} · {step.title('es')}\n*{step.title('en')}* — "
             f"`{step.filename}`: {', '.join(f'`{f}`' for f in step.functions)} "
             f"({step.points} {'punto' if step.points == 1 else 'puntos'} · points)\n\n{explanation}{hints_markdown(step)}")
    solution = (root / "solutions" / step.filename).read_text(encoding="utf-8").rstrip("\n")
    tests = f"check_step({step.id!r})"
    hidden = hidden_source(root, step)
    if hidden is not None:
        tests += f"\n### BEGIN HIDDEN TESTS\ncheck_hidden({step.id!r}, {_literal(hidden)})\n### END HIDDEN TESTS"
    gid = grade_id(step)
    return [
        _markdown(f"{step.id}-title", title.rstrip("\n"), _meta(f"{gid}-enunciado", locked=True)),
        _code(f"{step.id}-answer", f"%%kata_module {step.module}\n{solution}",
              _meta(f"{gid}-respuesta", solution=True)),
        _code(f"{step.id}-tests", tests, _meta(gid, grade=True, locked=True, points=step.points)),
    ]
