"""Stubs: how they are made from a reference solution, and how they are recognised.

A stub is a solution file whose regions between `### BEGIN SOLUTION` and `### END SOLUTION` became
one line raising `NotImplementedError("not implemented yet: fill in exercises/<file> (step '<id>') …")`.
Everything outside the markers (imports, signatures, docstrings) is kept, so the stub teaches what
to write. This module is the only place that knows that wording: making a stub, telling an error
raised by one, and telling a file nobody has started are all here.
"""

import ast
import re
from pathlib import Path

from kata.paths import exercise_path, find_root, solutions_dir

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB_TAG = "not implemented yet"
# A student release has no solutions/, so it ships the stubs here for `kata reset` and `kata status`.
PRISTINE_DIR = Path("kata") / "pristine"

HEADER = (
    "# Tu fichero de la kata: sustituye cada `raise NotImplementedError(...)` por tu código.\n"
    "# Your file for the kata: fill in every `raise NotImplementedError(...)`.\n"
    "# `kata reset {step}` lo deja como estaba · `kata reset {step}` puts it back as it was.\n"
)

_REGION = re.compile(
    rf"^(?P<indent>[ \t]*){re.escape(BEGIN)}[^\n]*\n(?P<body>.*?)^[ \t]*{re.escape(END)}[^\n]*\n",
    re.MULTILINE | re.DOTALL,
)
_STEP_IN_MESSAGE = re.compile(r"\(step '([^']+)'\)")


class MarkerError(ValueError):
    """Unbalanced or nested solution markers."""


# ---------------------------------------------------------------- making


def stub_message(step_id: str, filename: str) -> str:
    """The stub's error: Spanish first (the course's language), then English."""
    return (f"aún sin implementar: completa exercises/{filename} (paso '{step_id}') · "
            f"{STUB_TAG}: fill in exercises/{filename} (step '{step_id}')")


def make_stub(source: str, step_id: str, filename: str, header: str = "") -> str:
    """The stub of one solution file (raises MarkerError on unbalanced markers)."""
    _check_balanced(source, filename)
    message = stub_message(step_id, filename)

    def replace(match):
        return f"{match['indent']}raise NotImplementedError({message!r})\n"

    return header + _REGION.sub(replace, source)


def _check_balanced(source: str, filename: str) -> None:
    depth = 0
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith(BEGIN):
            depth += 1
        elif stripped.startswith(END):
            depth -= 1
        if depth not in (0, 1):
            raise MarkerError(f"solutions/{filename}, line {number}: solution markers are nested or unbalanced")
    if depth:
        raise MarkerError(f"solutions/{filename}: a {BEGIN} has no {END}")


def has_marker(text: str) -> bool:
    """Whether some line is a solution marker, by the rule `make_stub` uses (the stripped line starts with it)."""
    return any(line.strip().startswith(BEGIN) for line in text.splitlines())


def stub_text(step, root=None):
    """The stub of a step: made from solutions/ when they exist, else the copy a release ships; or None."""
    root = Path(root or find_root())
    solution = solutions_dir(root) / step.filename
    if solution.is_file():
        header = HEADER.format(filename=step.filename, step=step.id)
        return make_stub(solution.read_text(encoding="utf-8"), step.id, step.filename, header)
    shipped = root / PRISTINE_DIR / step.filename
    return shipped.read_text(encoding="utf-8") if shipped.is_file() else None


# ---------------------------------------------------------------- recognising


def is_stub_error(exc: BaseException) -> bool:
    """Whether an exception is the one a generated stub raises."""
    return isinstance(exc, NotImplementedError) and f"{STUB_TAG}: fill in exercises/" in str(exc)


def stub_step_of(text: str):
    """The step a stub's message in `text` names ("" when it names none), or None when it holds none."""
    if STUB_TAG not in text:
        return None
    found = _STEP_IN_MESSAGE.search(text)
    return found.group(1) if found else ""


def stub_step(exc: BaseException):
    """The step id named by a stub's error found in `exc` or its causes ("" if it names none), else None.

    TensorFlow wraps errors raised inside a tf.function, so the chain is searched too.
    """
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, NotImplementedError) and STUB_TAG in str(exc):
            found = _STEP_IN_MESSAGE.search(str(exc))
            return found.group(1) if found else ""
        exc = exc.__cause__ or exc.__context__
    return None


def is_stub_raise(node) -> bool:
    """`raise NotImplementedError("aún sin implementar: … · not implemented yet: …")`, as a generated stub writes it."""
    if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
        return False
    call = node.exc
    if not (isinstance(call.func, ast.Name) and call.func.id == "NotImplementedError" and call.args):
        return False
    first = call.args[0]
    return isinstance(first, ast.Constant) and f"{STUB_TAG}: fill in exercises/" in str(first.value)


def function_is_stub(node) -> bool:
    """Whether a function's own body still holds the stub's raise."""
    return any(is_stub_raise(statement) for statement in node.body)


def raises_stub_everywhere(source: str, functions) -> bool:
    """Whether every function in `functions` still has the stub's raise in its own body."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    defined = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    if not functions or any(name not in defined for name in functions):
        return False
    return all(function_is_stub(defined[name]) for name in functions)


def is_untouched(step, root=None) -> bool:
    """Whether the learner has not started the step: a missing file, the stub, or stub raises only."""
    path = exercise_path(step, root)
    if not path.is_file():
        return True
    source = path.read_text(encoding="utf-8", errors="replace")
    return source == stub_text(step, root) or raises_stub_everywhere(source, step.functions)
