"""nbgrader's feedback without the instructor's hidden tests.

`nbgrader autograde` puts each step's hidden tests back into its test cell (the `### BEGIN HIDDEN
TESTS` block that `kata dev build` wrote from `tests/hidden/`), so the notebook `nbgrader
generate_feedback` renders holds their source, and a failing hidden test's traceback quotes the
cell around the failing call. `HideHiddenTests`, run by generate_feedback (course/nbgrader_config.py),
replaces each hidden block by one line saying it is there, keeps only the exception's class and
message of an error in that cell (no traceback), and removes from that cell's outputs any line that
quotes the hidden source. The student still reads which hidden check failed and why, as the
learner-facing digest `kata.nbgrader_cells.check_hidden` raises, never how it is written.
"""

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

BEGIN, END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
PLACEHOLDER = "# (tests ocultos del profesor · the instructor's hidden tests)"
QUOTED = 12          # a line of the hidden source this long, found in an output, is a quotation of it


def split_hidden(source: str) -> tuple:
    """(the cell's source with each hidden block replaced by PLACEHOLDER, the hidden blocks' text)."""
    shown, hidden, inside = [], [], False
    for line in source.split("\n"):
        if BEGIN in line:
            inside = True
            shown.append(PLACEHOLDER)
        elif END in line:
            inside = False
        elif inside:
            hidden.append(line)
        else:
            shown.append(line)
    return "\n".join(shown), "\n".join(hidden)


def secret_lines(hidden: str) -> set:
    """The lines of the hidden source long enough that finding one in an output means it is quoted."""
    return {line.strip() for line in hidden.splitlines() if len(line.strip()) >= QUOTED}


def scrub(text: str, secret: set) -> str:
    """`text` less every line that holds a line of the hidden source."""
    if not secret:
        return text
    kept = [line for line in text.splitlines(keepends=True) if not any(s in line for s in secret)]
    return "".join(kept)


def _clean(output, secret) -> None:
    """One output of a cell with hidden tests, with nothing of their source left in it."""
    kind = output.get("output_type")
    if kind == "error":
        output["evalue"] = scrub(str(output.get("evalue", "")), secret)
        output["traceback"] = [f"{output.get('ename', 'Error')}: {output['evalue']}"]
    elif kind == "stream":
        output["text"] = scrub("".join(output.get("text", "")), secret)
    elif kind in ("execute_result", "display_data"):
        data = output.get("data", {})
        for mime in list(data):
            if mime.startswith("text/") or mime.endswith("json"):
                value = data[mime]
                data[mime] = scrub("".join(value) if isinstance(value, list) else str(value), secret)


class HideHiddenTests(Preprocessor):
    """A feedback preprocessor: no hidden test's source in the page a student receives."""

    enabled = Bool(True, help="nbconvert runs a preprocessor only when it is enabled; this one always is").tag(
        config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.get("cell_type") != "code" or BEGIN not in cell.get("source", ""):
            return cell, resources
        cell["source"], hidden = split_hidden(cell["source"])
        secret = secret_lines(hidden)
        for output in cell.get("outputs", []):
            _clean(output, secret)
        return cell, resources
