"""The nbgrader source notebook, generated from the solutions and the manifest (`kata dev build`).

One assignment, `cnn_kata`, with one notebook holding every step in course order: a markdown
cell with the step's title and hints, an autograded answer cell with the step's module (the
solution markers stay: nbgrader's generate_assignment turns each marked region into the stub),
and a locked test cell worth the step's points that runs the repository's own tests of that step.
A step's points are all or nothing, exactly as in `kata grade`.
"""

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
solo si pasan todos.

Fill in every answer cell: its first line (`%%kata_module NAME`) saves it as `NAME.py`, so later
steps import it as in the kata (`from conv2d import conv2d`). Each step's test cell runs the same
tests as `pytest`; a step earns its points only when all of them pass."""


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
    source = "from kata.nbgrader_cells import check_step, setup\n\nsetup()"
    return _code("setup", source, _meta("setup", locked=True))


def _step_cells(root: Path, step) -> list:
    hints = "\n".join(f"- {es}  \n  *{en}*" for es, en in zip(step.hints("es"), step.hints("en")))
    title = (f"## {step.number} · {step.title('es')}\n*{step.title('en')}* — "
             f"`{step.filename}`: {', '.join(f'`{f}`' for f in step.functions)} "
             f"({step.points} {'punto' if step.points == 1 else 'puntos'} · points)\n\n{hints}")
    solution = (root / "solutions" / step.filename).read_text(encoding="utf-8").rstrip("\n")
    tests = (f"check_step({step.id!r})\n"
             "### BEGIN HIDDEN TESTS\n"
             "# Extra checks written here are removed from the students' copy.\n"
             "### END HIDDEN TESTS")
    return [
        _markdown(f"{step.id}-title", title, _meta(f"{step.id}-title", locked=True)),
        _code(f"{step.id}-answer", f"%%kata_module {step.module}\n{solution}",
              _meta(f"{step.id}-answer", solution=True)),
        _code(f"{step.id}-tests", tests, _meta(f"{step.id}-tests", grade=True, locked=True, points=step.points)),
    ]
