"""The class list (`kata dev grade --roster FILE`): who is enrolled, their names and sections.

Three files an LMS gives are read as they come, told apart by their header row:

| file | where the instructor gets it | what it gives |
|---|---|---|
| Canvas's Gradebook export | Grades → Export → Export Entire Gradebook | `Student` ("Last, First"), the Canvas user `ID` (the number in the downloaded file names), `SIS User ID`, `SIS Login ID`, `Section`, and the assignments' columns ("Title (id)") |
| Moodle's participants download | Participants → select all → "Download table data as" CSV | `First name`, `Last name`, the identity fields (`Email address`, `ID number`…) |
| Moodle's offline grading worksheet | the assignment → View all submissions → Download grading worksheet | `Identifier` ("Participant N", the number in the downloaded folder names), `Full name`, `Email address` |

Moodle's participants file carries no participant number, so its students are matched to hand-ins
by full name (accents, case and spacing aside); Canvas's by user id, and its names replace the
login-like ones of the downloaded file names ("garciaelena" → "Elena García"). A roster student
with nothing in SUBMISSIONS becomes a "not handed in" row; a hand-in that matches no roster student
is reported. docs/grading.md cites the LMS sources these formats were read from.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_FIRST = ("First name", "Nombre")
MOODLE_LAST = ("Last name", "Surname", "Apellido(s)", "Apellidos")
MOODLE_EMAIL = ("Email address", "Dirección de correo", "Dirección Email", "Correo electrónico")
PARTICIPANT = re.compile(r"^\D*(\d+)\s*$")             # "Participant 1234" (in any interface language)
ASSIGNMENT_WITH_ID = re.compile(r"^(?P<title>.*\S)\s+\((?P<id>\d+)\)$")
NOT_ASSIGNMENTS = re.compile(r"(Current|Final|Unposted|Override) (Score|Points|Grade|Status)|^Notes$")


class RosterError(ValueError):
    """A roster file that cannot be read; the message names the file, the line and the fix."""


@dataclass
class Member:
    """One enrolled student."""

    name: str                       # "Elena García": as the class reads it
    lms: str                        # canvas, moodle
    lms_id: str = ""                # Canvas user id, Moodle participant number ("" when the file has none)
    sortable: str = ""              # Canvas's "García, Elena", written back into its import
    section: str = ""
    email: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    line: int = 0
    student_id: str = ""            # the gradebook id when nothing is handed in (set by `parse`)

    @property
    def key(self) -> str:
        return comparable(self.name)


@dataclass
class Roster:
    """The class list and, from Canvas's export, its assignment columns ("Title (id)")."""

    path: str
    kind: str                       # "canvas gradebook", "moodle participants", "moodle worksheet"
    members: list = field(default_factory=list)
    assignments: list = field(default_factory=list)

    def column_for(self, assignment: str):
        """The export's own header for `assignment` (its title, or "Title (id)"), or None."""
        for header in self.assignments:
            found = ASSIGNMENT_WITH_ID.match(header)
            if assignment in (header, found["title"] if found else None):
                return header
        return None


def comparable(name: str) -> str:
    """A name reduced for matching: no accents, no case, single spaces, "Last, First" turned around."""
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first} {last}"
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def load(path) -> Roster:
    """Read a roster file (see the module docstring). RosterError names the file, line and fix."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as err:
        raise RosterError(f"{path}: cannot be read ({err.strerror or err}); give the class list the LMS exported") \
            from None
    except UnicodeDecodeError:
        raise RosterError(f"{path}: not UTF-8 text; export the class list again as CSV (UTF-8)") from None
    return parse(text, str(path))


def parse(text: str, where: str = "roster") -> Roster:
    """The roster in `text` (a CSV an LMS wrote)."""
    text = text.lstrip("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        raise RosterError(f"{where}: empty; give Canvas's gradebook export, Moodle's participants download or "
                          f"Moodle's grading worksheet")
    header = [h.strip() for h in rows[0]]
    if "Student" in header and "ID" in header or header[:2] == ["LastName", "FirstName"]:
        roster = _canvas(header, rows, where)
    elif "Identifier" in header and "Full name" in header:
        roster = _moodle_worksheet(header, rows, where)
    elif any(h in header for h in MOODLE_FIRST) and any(h in header for h in MOODLE_LAST):
        roster = _moodle_participants(header, rows, where)
    else:
        raise RosterError(
            f"{where}, line 1: the header {', '.join(header[:6]) or '(empty)'} is none the grader knows; give "
            f"Canvas's gradebook export ({', '.join(CANVAS_COLUMNS)}, …), Moodle's participants download "
            f"(First name, Last name, …) or Moodle's grading worksheet (Identifier, Full name, …)")
    if not roster.members:
        raise RosterError(f"{where}: no student in it; export the class list again with its students")
    _refuse_duplicates(roster)
    _give_ids(roster)
    return roster


def _give_ids(roster) -> None:
    """Each member's gradebook id for a "not handed in" row: from the name and the LMS id, with a
    suffix when two members would share one."""
    from kata_dev.grader.submissions import slug

    seen = {}
    for member in roster.members:
        base = f"{slug(member.name)}-{member.lms_id}" if member.lms_id else slug(member.name)
        seen[base] = seen.get(base, 0) + 1
        member.student_id = base if seen[base] == 1 else f"{base}-{seen[base]}"


def _cell(row, header, name) -> str:
    index = header.index(name) if name in header else -1
    return row[index].strip() if 0 <= index < len(row) else ""


def _canvas(header, rows, where) -> Roster:
    split_names = header[:2] == ["LastName", "FirstName"]
    roster = Roster(where, "canvas gradebook")
    last_info = max(header.index(h) for h in header if h in (*CANVAS_COLUMNS, "LastName", "FirstName",
                                                              "Integration ID", "Root Account"))
    roster.assignments = [h for h in header[last_info + 1:] if h and not NOT_ASSIGNMENTS.search(h)]
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        first_cell = row[0].strip() if row else ""
        if "Points Possible" in first_cell or all(re.fullmatch(r"\s*(Muted|Manual Posting.*)?\s*", c, re.I)
                                                    for c in row if c):
            continue
        user_id = _cell(row, header, "ID")
        if not user_id.isdigit():
            raise RosterError(f"{where}, line {number}: the ID {user_id!r} is not a Canvas user id (a number); "
                              f"export the gradebook again from Canvas without editing that column")
        if split_names:
            last, first_name = _cell(row, header, "LastName"), _cell(row, header, "FirstName")
            sortable, name = f"{last}, {first_name}", f"{first_name} {last}".strip()
        else:
            sortable = _cell(row, header, "Student")
            last, comma, first_name = sortable.partition(",")
            name = f"{first_name.strip()} {last.strip()}" if comma else sortable
        if not name.strip():
            raise RosterError(f"{where}, line {number}: a student without a name; export the gradebook again")
        roster.members.append(Member(name=name, lms="canvas", lms_id=user_id, sortable=sortable,
                                     section=_cell(row, header, "Section"),
                                     sis_user_id=_cell(row, header, "SIS User ID"),
                                     sis_login_id=_cell(row, header, "SIS Login ID"), line=number))
    return roster


def _moodle_participants(header, rows, where) -> Roster:
    roster = Roster(where, "moodle participants")
    first_col = next(h for h in MOODLE_FIRST if h in header)
    last_col = next(h for h in MOODLE_LAST if h in header)
    email_col = next((h for h in MOODLE_EMAIL if h in header), None)
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        name = f"{_cell(row, header, first_col)} {_cell(row, header, last_col)}".strip()
        if not name:
            raise RosterError(f"{where}, line {number}: a participant without first or last name; download the "
                              f"participants again")
        roster.members.append(Member(name=name, lms="moodle", email=_cell(row, header, email_col) if email_col else "",
                                     line=number))
    return roster


def _moodle_worksheet(header, rows, where) -> Roster:
    roster = Roster(where, "moodle worksheet")
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        found = PARTICIPANT.match(_cell(row, header, "Identifier"))
        if not found:
            raise RosterError(f"{where}, line {number}: the Identifier {_cell(row, header, 'Identifier')!r} is not "
                              f"'Participant N'; download the grading worksheet again from the assignment")
        roster.members.append(Member(name=_cell(row, header, "Full name"), lms="moodle", lms_id=found.group(1),
                                     email=_cell(row, header, "Email address"), line=number))
    return roster


def _refuse_duplicates(roster) -> None:
    """Two rows for one LMS id make every match doubtful: refuse the file."""
    seen = {}
    for member in roster.members:
        if member.lms_id:
            if member.lms_id in seen:
                raise RosterError(f"{roster.path}, line {member.line}: the id {member.lms_id} is also on line "
                                  f"{seen[member.lms_id]}; keep one row per student")
            seen[member.lms_id] = member.line


# --------------------------------------------------------------------------- matching


def match(roster: Roster, students: list) -> dict:
    """{student_id: Member} for the hand-ins the roster knows. `students`: dicts with student_id,
    name, lms and lms_id. A Canvas hand-in is matched by user id, a Moodle one by participant number
    when the roster has them, else (and a plain folder) by full name or e-mail's local part; a name
    two roster students share matches neither."""
    by_id = {(m.lms, m.lms_id): m for m in roster.members if m.lms_id}
    names = {}
    for member in roster.members:
        names.setdefault(member.key, []).append(member)
        if member.email:
            names.setdefault(comparable(member.email.split("@")[0]), []).append(member)
    found = {}
    for student in students:
        member = by_id.get((student.get("lms"), student.get("lms_id") or ""))
        if member is None and not (student.get("lms") == "canvas" and roster.kind == "canvas gradebook"):
            for key in (comparable(student.get("name") or ""), comparable(student["student_id"])):
                candidates = names.get(key, [])
                if len({id(m) for m in candidates}) == 1:
                    member = candidates[0]
                    break
        if member is not None:
            found[student["student_id"]] = member
    return found


def member_id(member: Member) -> str:
    """The gradebook id of an enrolled student with nothing handed in."""
    return member.student_id
