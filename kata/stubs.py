"""Turn a reference solution into a student stub.

Each region between `### BEGIN SOLUTION` and `### END SOLUTION` becomes one line that raises
`NotImplementedError` with a message naming the step and the file to fill in. Everything outside
the markers (imports, signatures, docstrings) is kept, so the stub teaches what to write.
"""

import re

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB_TAG = "not implemented yet"

_REGION = re.compile(
    rf"^(?P<indent>[ \t]*){re.escape(BEGIN)}[^\n]*\n(?P<body>.*?)^[ \t]*{re.escape(END)}[^\n]*\n",
    re.MULTILINE | re.DOTALL,
)


class MarkerError(ValueError):
    """Unbalanced or nested solution markers."""


def stub_message(step_id: str, filename: str) -> str:
    return (f"{STUB_TAG}: fill in exercises/{filename} (step '{step_id}') · "
            f"aún sin implementar: completa exercises/{filename}")


def is_stub_error(exc: BaseException) -> bool:
    """Whether an exception is the one a generated stub raises."""
    return isinstance(exc, NotImplementedError) and str(exc).startswith(STUB_TAG)


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
