"""Grades changed by hand: `OUT/adjustments.csv`, merged into the gradebook, the exports and the
student's feedback, and kept across re-grades (the grader never writes it; `--adjustments FILE`
checks FILE and copies it there).

One adjustment per line, in this header's order:

    student,step,points,reason
    jose-perez-1234,conv2d,1.5,half of the padding idea was right
    maria-nunez-5678,total,-1,handed in two days late
    rota-roto-9999,total,12,graded by hand from the copy she e-mailed

* `student`: the id of grades.csv (or the student's full name, when no one else has it);
* `step`: a step id of the manifest, or `total`;
* `points`: a plain number sets the step's (or the total's) points; a signed one (`+1`, `-0.5`)
  adds to them. `1,5` and `1.5` are both one and a half;
* `reason`: required; the student reads it in the feedback.

Step lines apply first, in the file's order, then total lines. A step is set within 0 and its
points; a total ends within 0 and the maximum (a change that would leave it is cut there, and said
in the report). A student whose hand-in could not be read has no step points to change: only
`total` with a plain number gives them a grade.
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from kata_dev.grader.roster import comparable

COLUMNS = ("student", "step", "points", "reason")
TOTAL = "total"
NUMBER = re.compile(r"^(?P<sign>[+\-−]?)\s*(?P<value>\d+(?:[.,]\d+)?)$")


class AdjustmentError(ValueError):
    """An adjustments file that cannot be applied; the message names the file, the line and the fix."""


@dataclass(frozen=True)
class Adjustment:
    """One line of the adjustments file, resolved to a student id."""

    student: str
    target: str            # a step id, or "total"
    value: float
    relative: bool         # True: add `value`; False: set to `value`
    reason: str
    line: int

    def describe(self) -> str:
        """`+1`, `-0.5` or `= 7`: how the line changes its target."""
        from kata.i18n import number

        if self.relative:
            return f"{'+' if self.value >= 0 else '−'}{number(abs(self.value), 'en')}"
        return f"= {number(self.value, 'en')}"


def load(path, students: dict, steps, ungraded=frozenset()) -> list:
    """The adjustments of the file at `path`, checked against the class (`students`: {id: display
    name}), the manifest's `steps` and the students without a graded result (`ungraded`). Raises
    AdjustmentError listing every line that names no student or step, or is malformed."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as err:
        raise AdjustmentError(f"{path}: cannot be read ({err.strerror or err})") from None
    except UnicodeDecodeError:
        raise AdjustmentError(f"{path}: not UTF-8 text; save it as CSV (UTF-8)") from None
    return parse(text, str(path), students, steps, ungraded)


def parse(text: str, where: str, students: dict, steps, ungraded=frozenset()) -> list:
    """See `load`; `where` names the file in the messages."""
    text = text.lstrip("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = [h.strip().lower() for h in rows[0]] if rows else []
    if tuple(header[:4]) != COLUMNS:
        raise AdjustmentError(f"{where}, line 1: the header must be {','.join(COLUMNS)} (got "
                              f"{','.join(header) or 'nothing'}); write it as the first line")
    maxima = {s.id: s.points for s in steps}
    total_max = sum(maxima.values())
    names = _names(students)
    found, problems = [], []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row) or row[0].strip().startswith("#"):
            continue
        try:
            found.append(_line(row, number, students, names, maxima, total_max, ungraded))
        except AdjustmentError as err:
            problems.append(f"line {number}: {err}")
    if problems:
        shown = "\n  ".join(problems[:10]) + (f"\n  … and {len(problems) - 10} more" if len(problems) > 10 else "")
        raise AdjustmentError(f"{where}: {len(problems)} line(s) cannot be applied; fix or remove them, nothing "
                              f"was graded or written:\n  {shown}")
    return found


def _names(students: dict) -> dict:
    """{comparable full name: [ids]} for naming a student by name."""
    names = {}
    for student_id, name in students.items():
        names.setdefault(comparable(name or ""), []).append(student_id)
    return names


def _line(row, number, students, names, maxima, total_max, ungraded) -> Adjustment:
    cells = [cell.strip() for cell in row] + [""] * (4 - len(row))
    who, target, points, reason = cells[:4]
    if len(row) > 4 and any(cell.strip() for cell in row[4:]):
        raise AdjustmentError("more than four cells; put a reason holding a comma between double quotes")
    student = who if who in students else None
    if student is None:
        ids = names.get(comparable(who), [])
        if len(ids) == 1:
            student = ids[0]
        elif len(ids) > 1:
            raise AdjustmentError(f"{who!r} is the name of {len(ids)} students ({', '.join(sorted(ids))}); "
                                  f"write the student's id instead")
        else:
            raise AdjustmentError(f"{who!r} is no student of this class{_did_you_mean(who, students)}; "
                                  f"write an id of grades.csv")
    target = target.lower()
    if target != "total" and target not in maxima:
        raise AdjustmentError(f"{target!r} is no step; write one of {', '.join(maxima)} or total")
    found = NUMBER.match(points.replace(" ", ""))
    if not found:
        raise AdjustmentError(f"the points {points!r} are not a number; write 1.5 to set, +1 or -1 to add")
    value = float(found["value"].replace(",", "."))
    relative = bool(found["sign"])
    if found["sign"] in ("-", "−"):
        value = -value
    if not reason:
        raise AdjustmentError("no reason; say why (the student reads it in the feedback)")
    top = total_max if target == TOTAL else maxima[target]
    if not relative and value > top:
        raise AdjustmentError(f"sets {target} to {points}, above its {top:g} points; write at most {top:g}")
    if student in ungraded and (relative or target != TOTAL):
        raise AdjustmentError(f"{student} has no graded result to change (the hand-in could not be read or "
                              f"was not handed in); give the whole grade: {student},total,POINTS,reason")
    return Adjustment(student, target, value, relative, reason, number)


def _did_you_mean(who: str, students: dict) -> str:
    import difflib

    close = difflib.get_close_matches(who, list(students), n=2, cutoff=0.5)
    return f" (did you mean {' or '.join(close)}?)" if close else ""


def digest(adjustments: list) -> str:
    """A fingerprint of one student's adjustments: when it changes, their grade changed by hand."""
    text = "\n".join(f"{a.target}\t{a.value}\t{a.relative}\t{a.reason}" for a in adjustments)
    return hashlib.sha256(text.encode()).hexdigest() if adjustments else ""


def apply(points: dict, maxima: dict, adjustments: list) -> tuple:
    """(points by step, total or None, [{target, before, after, reason, cut}]): `points` {step: points
    or None} changed by one student's `adjustments` (step lines first, then total ones)."""
    points = dict(points)
    applied = []
    for adj in (a for a in adjustments if a.target != TOTAL):
        before = points.get(adj.target) or 0
        after = before + adj.value if adj.relative else adj.value
        bounded = min(max(after, 0), maxima[adj.target])
        points[adj.target] = bounded
        applied.append({"target": adj.target, "before": before, "after": bounded, "reason": adj.reason,
                        "change": adj.describe(), "cut": bounded != after})
    graded = [p for p in points.values() if p is not None]
    total = sum(graded) if graded else None
    top = sum(maxima.values())
    for adj in (a for a in adjustments if a.target == TOTAL):
        before = total
        after = (total or 0) + adj.value if adj.relative else adj.value
        total = min(max(after, 0), top)
        applied.append({"target": TOTAL, "before": before, "after": total, "reason": adj.reason,
                        "change": adj.describe(), "cut": total != after})
    return points, total, applied
