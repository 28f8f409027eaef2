"""The gradebook: one entry per student, the only thing grades.csv, the LMS exports, the class report
and each feedback's score are made from.

An entry is computed from that student's **complete** result — every step of the manifest graded
by one run — the hand changes of `adjustments.csv` and the roster; never from a partial run
(`--steps`, which writes a folder of its own). A result that lacks steps (left by an older grader's
partial run) is an "incomplete" entry without a grade, named in the report. Statuses:

| status | grade | in the LMS exports |
|---|---|---|
| graded | the points of every step, adjusted | yes |
| unreadable | none (unless an adjustment sets the total) | Moodle: blank grade, a comment asking for a new hand-in; Canvas: left out |
| not handed in | none (an enrolled student of the roster with nothing in SUBMISSIONS) | left out |
| incomplete | none | left out |

Each entry carries `graded_at` (when the tests ran) and `modified_at`, the later of that and the
moment its adjustments last changed (kept in OUT/gradebook.json from run to run): Moodle's offline
worksheet skips a row whose grade was changed in Moodle after this time, so a grade edited there
by hand survives a re-upload unless the student was graded (or adjusted) again since.
"""

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from kata_dev.grader import adjustments as adjusting
from kata_dev.grader import roster as rosters

GRADED, UNREADABLE, NOT_HANDED_IN, INCOMPLETE = "graded", "unreadable", "not handed in", "incomplete"
FILE = "gradebook.json"
OUT_OF = 10
DEFAULT_ASSIGNMENT = "cnn_kata"


@dataclass
class Entry:
    """What the gradebook says of one student."""

    student_id: str
    name: str
    status: str
    lms: str = "folder"
    lms_id: str = ""
    late: bool = False
    section: str = ""
    sortable: str = ""                 # Canvas's "Last, First", from its roster
    sis_user_id: str = ""
    sis_login_id: str = ""
    on_roster: object = None           # True, False, or None without a roster
    steps: dict = field(default_factory=dict)   # step id → points, or None without a grade
    maxima: dict = field(default_factory=dict)  # step id → its points in the manifest
    graded_score: object = None        # what the tests gave, before adjustments
    score: object = None               # after adjustments; None: no grade
    max_score: float = 0
    problem: str = ""
    adjustments: list = field(default_factory=list)
    graded_at: str = ""
    modified_at: str = ""
    notes: list = field(default_factory=list)   # for the instructor: why there is no grade, stale tests…

    @property
    def grade_10(self):
        """The 0–10 grade (two decimals), or None without a grade."""
        if self.score is None:
            return None
        return round(OUT_OF * self.score / self.max_score, 2) if self.max_score else 0.0

    @property
    def has_grade(self) -> bool:
        return self.score is not None

    def record(self) -> dict:
        return {**asdict(self), "grade_10": self.grade_10}


def lms_id(result: dict) -> str:
    """The LMS's own number for a student, read again from the name of the downloaded entry (the
    student id may carry a suffix that tells two entries apart)."""
    from kata_dev.grader.submissions import identify

    student, _name, lms, _late, _own = identify(result.get("origin", ""))
    return student.rsplit("-", 1)[-1] if lms in ("moodle", "canvas") else ""


def complete(result: dict, step_ids) -> bool:
    """Whether a result graded every step of the manifest."""
    graded = {s["id"] for s in result.get("steps", [])}
    return set(step_ids) <= graded and set(step_ids) <= set(result.get("steps_graded") or step_ids)


def _entry_of(result: dict, steps) -> Entry:
    """An entry from a stored result, before adjustments and roster."""
    step_ids = [s.id for s in steps]
    entry = Entry(student_id=result["student_id"], name=result.get("name") or result["student_id"],
                  status=GRADED, lms=result.get("lms", "folder"), lms_id=lms_id(result),
                  late=bool(result.get("late")), max_score=sum(s.points for s in steps),
                  problem=result.get("problem", ""), graded_at=result.get("graded_at", ""),
                  maxima={s.id: s.points for s in steps})
    if not complete(result, step_ids):
        graded = ", ".join(s["id"] for s in result.get("steps", [])) or "no step"
        entry.status = INCOMPLETE
        entry.steps = {i: None for i in step_ids}
        entry.notes.append(f"its stored result graded only {graded} (a partial run of an older grader); "
                           f"put the hand-in in SUBMISSIONS and grade again")
        return entry
    if entry.problem:
        entry.status = UNREADABLE
        entry.steps = {i: None for i in step_ids}
        return entry
    points = {s["id"]: s["points"] for s in result["steps"]}
    entry.steps = {i: points[i] for i in step_ids}
    entry.graded_score = entry.score = sum(entry.steps.values())
    return entry


def build(results: list, steps, *, roster=None, adjustments=(), previous=None, tests_sha256="", now=None,
          absent=True) -> tuple:
    """(entries sorted by student id, warnings for the instructor) from every stored result of the
    class, the roster (or None), the adjustments and the previous gradebook (its times). `absent`:
    whether enrolled students without a result get their "not handed in" rows (not while the class
    is still being graded)."""
    now = now or stamp()
    previous = previous or {}
    entries = [_entry_of(r, steps) for r in results]
    warnings = []
    for entry, result in zip(entries, results):
        if tests_sha256 and result.get("tests_sha256") not in (None, tests_sha256) and entry.status != INCOMPLETE:
            entry.notes.append("graded with other tests than this run (its hand-in was not in SUBMISSIONS); grade "
                               "it again to grade the class alike")
    if roster is not None:
        warnings += _join_roster(entries, roster, steps, absent)
    by_student = {}
    for adj in adjustments:
        by_student.setdefault(adj.student, []).append(adj)
    maxima = {s.id: s.points for s in steps}
    known = {e.student_id for e in entries}
    for student in sorted(set(by_student) - known):
        warnings.append(f"adjustments.csv names {student}, who has no row any more: its lines are not applied")
    for entry in entries:
        mine = by_student.get(entry.student_id, [])
        _adjust(entry, mine, maxima)
        _times(entry, mine, previous.get("students", {}).get(entry.student_id, {}), now)
    return sorted(entries, key=lambda e: e.student_id), warnings


def _adjust(entry: Entry, mine: list, maxima: dict) -> None:
    if not mine:
        return
    points, total, applied = adjusting.apply(entry.steps, maxima, mine)
    entry.steps, entry.score, entry.adjustments = points, total, applied
    for change in applied:
        if change["cut"]:
            entry.notes.append(f"the adjustment of {change['target']} ({change['change']}) went past its bounds "
                               f"and was cut to {change['after']:g}")


def _times(entry: Entry, mine: list, before: dict, now: str) -> None:
    """graded_at, and modified_at: the later of it and when the adjustments last changed."""
    digest = adjusting.digest(mine)
    if digest == before.get("adjustments_digest", ""):
        adjusted_at = before.get("adjusted_at", "")
    else:
        adjusted_at = now
    entry.modified_at = max(entry.graded_at or "", adjusted_at or "")
    entry._ledger = {"adjustments_digest": digest, "adjusted_at": adjusted_at}


def _join_roster(entries: list, roster, steps, absent=True) -> list:
    """Names and sections from the roster; a "not handed in" entry for each enrolled student with no
    hand-in; warnings for hand-ins that are on no roster line, and for two hand-ins of one student."""
    warnings = []
    matched = rosters.match(roster, [{"student_id": e.student_id, "name": e.name, "lms": e.lms, "lms_id": e.lms_id}
                                     for e in entries])
    claimed = {}
    for entry in entries:
        member = matched.get(entry.student_id)
        entry.on_roster = member is not None
        if member is None:
            warnings.append(f"{entry.student_id} ({entry.name}) handed in but is not on the roster {roster.path}")
            continue
        claimed.setdefault(id(member), []).append(entry.student_id)
        entry.name, entry.section = member.name, member.section
        entry.sortable, entry.sis_user_id, entry.sis_login_id = member.sortable, member.sis_user_id, member.sis_login_id
        if member.lms_id and not entry.lms_id and member.lms == entry.lms:
            entry.lms_id = member.lms_id
    for ids in claimed.values():
        if len(ids) > 1:
            warnings.append(f"{' and '.join(ids)} are one roster student: keep one of their hand-ins")
    for member in roster.members if absent else []:
        if any(id(member) == key for key in claimed):
            continue
        entries.append(Entry(student_id=rosters.member_id(member), name=member.name, status=NOT_HANDED_IN,
                             lms=member.lms, lms_id=member.lms_id, section=member.section, sortable=member.sortable,
                             sis_user_id=member.sis_user_id, sis_login_id=member.sis_login_id, on_roster=True,
                             steps={s.id: None for s in steps}, max_score=sum(s.points for s in steps),
                             maxima={s.id: s.points for s in steps}))
    return warnings


def stamp(moment=None) -> str:
    """A time as the results write it: ISO 8601, UTC, to the second."""
    return (moment or datetime.now(timezone.utc)).isoformat(timespec="seconds")


# --------------------------------------------------------------------------- OUT/gradebook.json


def read_previous(out: Path) -> dict:
    """The gradebook a previous run wrote in OUT (for its settings and times), or {}."""
    try:
        data = json.loads((Path(out) / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def to_json(entries: list, settings: dict) -> str:
    """OUT/gradebook.json: the settings the exports were made with and every entry, with its ledger."""
    students = {}
    for entry in entries:
        students[entry.student_id] = {**entry.record(), **getattr(entry, "_ledger", {})}
    return json.dumps({"schema": 1, "settings": settings, "students": students}, indent=2, sort_keys=True,
                      ensure_ascii=False) + "\n"
