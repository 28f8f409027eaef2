"""Find the students' submissions, as an LMS or nbgrader delivers them, and read their step modules.

A submissions folder may hold, per student, a folder, a `.zip`, a `.tar.gz`/`.tgz`/`.tar`, or the
flat files Moodle and Canvas write when you download every submission at once:

| layout | example | student |
|---|---|---|
| a folder or archive named by the student | `ana/`, `josé_pérez.zip`, `ana.tar.gz` | its name |
| Moodle, in folders | `José Pérez_1234_assignsubmission_file_/…` | José Pérez (participant 1234) |
| Moodle, flat files | `José Pérez_1234_assignsubmission_file_conv2d.py` | José Pérez (participant 1234) |
| Canvas, flat files | `perezjose_4321_998877_conv2d.py`, `perezjose_LATE_4321_998878_train-1.py` | perezjose (user 4321), late |
| nbgrader's `submitted/` | `ana/cnn_kata/cnn_kata.ipynb` | ana |

Each student gets a stable id for file names and the gradebook (ASCII, from the LMS id when there is
one) and keeps the display name the LMS gave. Inside a submission the wanted modules (the files the
manifest names) are found at any depth, the shallowest winning; a notebook's `%%kata_module NAME`
cells count as modules too (nbgrader's student notebook). The walk is iterative and bounded in
depth and entries; `.venv`, `.git`, `node_modules`, `__pycache__` and the like are skipped before
counting; only regular files are read (a FIFO, a device or a symbolic link never is); archives are
never extracted. A submission that cannot be read is still one row, with the reason: nothing is
dropped. Files beyond the manifest that are not the kata's own (a `conftest.py` of the student's,
tests, `.pth` files…) are listed for the instructor. When a submission holds more than one copy of
a step module, the one graded and the others are recorded (`copies`), for the student's feedback
and the class report.

What is not a student: the debris of operating systems and tools at the top of SUBMISSIONS
(`__pycache__`, `__MACOSX`, `.DS_Store`, `Thumbs.db`, `desktop.ini`, Office's `~$` lock files, any
dot-file) and the grader's own output folder when it lies inside SUBMISSIONS; each is named in the
lines `discover` returns. A folder (or zip) that holds the entries of several LMS hand-ins is the
download itself, one level too high: discovery stops and names the folder to pass instead.
SUBMISSIONS may also be the LMS's "download all" `.zip` itself, read in place like a folder.
"""

import hashlib
import io
import json
import os
import re
import stat
import tarfile
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_MODULE_BYTES = 1_000_000      # a step module is a few kB; anything bigger is not source code
MAX_NOTEBOOK_BYTES = 20_000_000
MAX_ARCHIVE_BYTES = 50_000_000    # the archive file itself
MAX_ENTRIES = 10_000              # files and folders of one student, every entry together
MAX_STUDENT_BYTES = 100_000_000   # bytes read (decompressed) for one student
MAX_STUDENT_SECONDS = 60          # reading one student's entries
MAX_DEPTH = 12
MAX_EXTRA_FILES = 30
SKIPPED_DIRS = {".venv", "venv", "env", ".env", ".git", ".hg", ".svn", "node_modules", "__pycache__",
                ".ipynb_checkpoints", ".pytest_cache", ".mypy_cache", ".tox", "site-packages", ".kata",
                "runs", "data", ".idea", ".vscode", "__MACOSX"}
ARCHIVES = (".zip", ".tar.gz", ".tgz", ".tar")
SUSPICIOUS = ("conftest.py", "pytest.ini", "tox.ini", "sitecustomize.py", "usercustomize.py", "setup.cfg")
DEBRIS = {"__pycache__", "__MACOSX", "Thumbs.db", "thumbs.db", "desktop.ini", "Desktop.ini", ".DS_Store"}
OUTPUT_MARKERS = ("grades.csv", "gradebook.json")   # with a results/ folder: an output folder of kata dev grade
MAX_COPIES_SHOWN = 3
MODULE_MAGIC = re.compile(r"\A\s*%%kata_module[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*\n")

_PLAIN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")    # a name already safe as an id is kept
_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?:file|onlinetext)_(?P<rest>.*)$", re.DOTALL)
_CANVAS = re.compile(r"^(?P<name>[a-z][a-z0-9-]*)_(?P<late>LATE_)?(?P<id>\d+)_(?P<file>\d+)_(?P<rest>.+)$", re.DOTALL)


class SubmissionError(ValueError):
    """The submissions folder cannot be read at all (the message names the path and the fix)."""


@dataclass
class Submission:
    """One student's step modules: {filename: source bytes}, what was noted, and who it is."""

    student: str                    # stable ASCII id: file names, the gradebook's rows
    name: str                       # as the LMS or the folder gave it
    origin: Path
    lms: str = "folder"             # folder, moodle, canvas
    late: bool = False
    modules: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    extra_files: list = field(default_factory=list)
    problem: str = ""               # why it could not be read at all ("" when it could)
    copies: list = field(default_factory=list)   # [{module, graded, ignored: [...]}] when a module came twice

    def fingerprint(self) -> str:
        """sha256 over the modules the grader uses; a changed submission is graded again."""
        digest = hashlib.sha256()
        for name in sorted(self.modules):
            digest.update(name.encode() + b"\0" + hashlib.sha256(self.modules[name]).digest())
        return digest.hexdigest()


# --------------------------------------------------------------------------- names


def slug(text: str) -> str:
    """An ASCII file-name-safe form of a name: "José Pérez" → "jose-perez"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "student"


def identify(entry_name: str) -> tuple:
    """(student id, display name, lms, late, the file's own name or None) from an entry's name."""
    moodle = _MOODLE.match(entry_name)
    if moodle:
        name = moodle["name"].strip()
        return f"{slug(name)}-{moodle['id']}", name, "moodle", False, moodle["rest"] or None
    canvas = _CANVAS.match(entry_name)
    if canvas:
        return (f"{canvas['name']}-{canvas['id']}", canvas["name"], "canvas", bool(canvas["late"]),
                _canvas_original(canvas["rest"]))
    stem = _stem(entry_name)
    return (stem if _PLAIN_ID.match(stem) else slug(stem)), stem, "folder", False, None


def _canvas_original(name: str) -> str:
    """Canvas renames a re-submitted file `conv2d-1.py`: the original name is `conv2d.py`."""
    return re.sub(r"-\d+(\.[A-Za-z0-9]+)$", r"\1", name)


def _stem(name: str) -> str:
    for suffix in ARCHIVES:
        if name.lower().endswith(suffix):
            return name[:-len(suffix)]
    return name


# --------------------------------------------------------------------------- discovery


def discover(folder, filenames, own_files=None, exclude=()) -> tuple:
    """(submissions sorted by student id, lines about entries that are not submissions).

    `folder`: the submissions folder, or the LMS's "download all" .zip itself; `filenames`: the step
    modules wanted; `own_files`: sha256 digests of the kata's own files (a whole-kata hand-in carries
    them, and they are not worth a note); `exclude`: folders that are never a student (the grader's
    output folder). Whatever goes wrong reading one student's entries (a broken, truncated or
    encrypted archive, a malformed notebook, one that takes too long) is that student's note and,
    when nothing could be read, their row's problem: the class goes on. A folder that holds several
    students' LMS entries stops discovery (SubmissionError naming the folder to pass instead).
    """
    folder = Path(folder)
    if folder.is_file() and folder.name.lower().endswith(".zip"):
        return _discover_zip(folder, filenames, own_files)
    if not folder.is_dir():
        raise SubmissionError(f"{folder}: no such folder; pass the folder holding one sub-folder, archive or "
                              f"set of LMS files per student (or the LMS's download .zip itself)")
    wanted = set(filenames)
    own = set(own_files or ())
    excluded = {Path(e).resolve() for e in exclude}
    found, budgets, ignored = {}, {}, []
    entries = sorted(folder.iterdir(), key=lambda p: p.name)
    for entry in entries:
        why = _not_a_student(entry, excluded)
        if why:
            if why != "hidden":
                ignored.append(f"{entry.name}: {why}")
            continue
        _refuse_a_whole_download(entry, folder)
        student, name, lms, late, own_name = identify(entry.name)
        sub = found.get(student)
        if sub is None:
            sub = found[student] = Submission(student, name, entry, lms, late)
            budgets[student] = Budget()
        sub.late = sub.late or late
        try:
            _read_entry(sub, entry, own_name, Reading(wanted, own, budgets[student]))
        except Exception as err:  # noqa: BLE001 — any failure to read a hand-in is that hand-in's, never the class's
            sub.notes.append(f"{entry.name} cannot be read ({type(err).__name__}: {str(err)[:200]})")
            _no_problem_if_modules(sub, f"{entry.name} cannot be read ({type(err).__name__})")
    _mark_late_from_handin_index(folder, found)
    _dedupe_ids(found)
    return sorted(found.values(), key=lambda s: s.student), ignored


HANDIN_INDEX = ".handins.json"      # the class server's hand-in service beside its latest/ folders


def _mark_late_from_handin_index(folder: Path, found: dict) -> None:
    """The class server's hand-ins say who handed in after the deadline in their index: plain data,
    read for the `late` mark only (a malformed index is ignored, with a note for no one)."""
    index = folder / HANDIN_INDEX
    try:
        if not index.is_file() or index.is_symlink() or index.stat().st_size > 4_000_000:
            return
        students = json.loads(index.read_text(encoding="utf-8")).get("students", {})
    except (OSError, ValueError, AttributeError):
        return
    for student, record in students.items() if isinstance(students, dict) else ():
        if isinstance(record, dict) and record.get("late") is True and student in found:
            found[student].late = True


def _not_a_student(entry: Path, excluded: set) -> str:
    """Why a top-level entry is no student's ("hidden" for dot-files, said to no one), or ""."""
    if entry.name.startswith("."):
        return "hidden"
    if entry.name in DEBRIS or entry.name.startswith("~$"):
        return "left by the operating system or a tool, not a hand-in"
    try:
        if entry.resolve() in excluded:
            return "the grader's own output folder"
        if entry.is_dir() and not entry.is_symlink() and (entry / "results").is_dir() and \
                any((entry / marker).is_file() for marker in OUTPUT_MARKERS):
            return "an output folder of kata dev grade (grades.csv, results/), not a hand-in"
    except OSError:
        return ""
    return ""


def lms_entry(name: str) -> bool:
    """Whether an entry's name is one an LMS gives a hand-in (Moodle's or Canvas's)."""
    return bool(_MOODLE.match(name) or _CANVAS.match(name))


def _refuse_a_whole_download(entry: Path, folder: Path) -> None:
    """A folder that is not itself an LMS entry but holds the LMS entries of several students is the
    download, one level too high: grading it as one student would be wrong. Stop and say what to pass."""
    if lms_entry(entry.name) or not entry.is_dir() or entry.is_symlink():
        return
    try:
        names = [child.name for child in os.scandir(entry)]
    except OSError:
        return
    _refuse_if_many(names, entry, f"grade that folder itself: kata dev grade '{entry}' OUT (not '{folder}')")


def _refuse_if_many(names, where, fix) -> None:
    """SubmissionError when `names` (the entries inside `where`) are the LMS entries of several students."""
    ids = {identify(name)[0] for name in names if lms_entry(name)}
    if len(ids) >= 2:
        shown = ", ".join(sorted(n for n in names if lms_entry(n))[:3])
        raise SubmissionError(f"{where} holds the hand-ins of {len(ids)} students ({shown}, …): it is the LMS's "
                              f"download, not one student's hand-in; {fix}")


# --------------------------------------------------------------------------- the LMS's zip itself


def _discover_zip(path: Path, filenames, own_files) -> tuple:
    """SUBMISSIONS given as the LMS's "download all" zip: each top-level name in it (a folder, a
    flat file, a student's own archive) is an entry, read in place as a folder's would be."""
    wanted, own = set(filenames), set(own_files or ())
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except (OSError, zipfile.BadZipFile, ValueError) as err:
        raise SubmissionError(f"{path}: not a readable zip ({type(err).__name__}: {err}); download it again from "
                              f"the LMS, or unpack it and pass the folder") from None
    groups, ignored = {}, []
    for info in infos:
        member = _safe_member(info.filename)
        if member is None or not member.parts:
            ignored.append(f"{info.filename[:80]!r} in {path.name}: not a safe path, not read")
            continue
        groups.setdefault(member.parts[0], []).append((member, info))
    top = list(groups)
    if not any(lms_entry(name) for name in top) and len(top) == 1 and \
            any(len(m.parts) > 1 for m, _ in groups[top[0]]):
        # One folder wrapping the whole download: look one level down.
        inner = {}
        for member, info in groups[top[0]]:
            if len(member.parts) > 1:
                inner.setdefault(member.parts[1], []).append((PurePosixPath(*member.parts[1:]), info))
        groups = inner
    found, budgets = {}, {}
    with archive:
        for name in sorted(groups):
            members = groups[name]
            if name.startswith(".") or name in DEBRIS or name.startswith("~$"):
                if not name.startswith("."):
                    ignored.append(f"{name}: left by the operating system or a tool, not a hand-in")
                continue
            folder_like = any(len(m.parts) > 1 or info.is_dir() for m, info in members)
            if folder_like and not lms_entry(name):
                _refuse_if_many({m.parts[1] for m, _ in members if len(m.parts) > 1}, f"{path} → {name}/",
                                f"unpack {path.name} and grade the folder {name} itself")
            student, display, lms, late, own_name = identify(name)
            sub = found.get(student)
            if sub is None:
                sub = found[student] = Submission(student, display, Path(name), lms, late)
                budgets[student] = Budget()
            sub.late = sub.late or late
            reading = Reading(wanted, own, budgets[student])
            try:
                _read_zip_group(sub, archive, name, members, folder_like, own_name, reading)
            except Exception as err:  # noqa: BLE001 — as for a folder's entries: this hand-in's, not the class's
                sub.notes.append(f"{name} cannot be read ({type(err).__name__}: {str(err)[:200]})")
                _no_problem_if_modules(sub, f"{name} cannot be read ({type(err).__name__})")
    _dedupe_ids(found)
    return sorted(found.values(), key=lambda s: s.student), ignored


def _read_zip_group(sub, archive, name, members, folder_like, own_name, reading) -> None:
    """One entry of the LMS's zip: a folder of members, or one member (a flat file or an archive)."""
    if not folder_like:
        (member, info), = members[:1]
        data = _read_zip_member(archive, info, reading.budget, MAX_ARCHIVE_BYTES)
        if data is None:
            raise ValueError(f"larger than {MAX_ARCHIVE_BYTES // 1_000_000} MB")
        if name.lower().endswith(ARCHIVES):
            _read_walk(sub, _walk_archive(data, reading, name), reading, name)
        else:
            file_name = own_name or name
            _read_walk(sub, iter([(PurePosixPath(file_name), lambda: data)]), reading, name)
        return
    inside, nested = [], []
    for member, info in members:
        relative = PurePosixPath(*member.parts[1:]) if len(member.parts) > 1 else None
        if relative is None or info.is_dir():
            continue
        if len(relative.parts) == 1 and relative.name.lower().endswith(ARCHIVES):
            nested.append((relative, info))
        else:
            inside.append((relative, info))
    _read_walk(sub, _zip_group_members(archive, inside, reading), reading, name)
    for relative, info in nested:        # Moodle's "in folders" download: the student's own archive inside
        data = _read_zip_member(archive, info, reading.budget, MAX_ARCHIVE_BYTES)
        label = f"{name}/{relative}"
        if data is None:
            sub.notes.append(f"{label} is larger than {MAX_ARCHIVE_BYTES // 1_000_000} MB: not opened")
            _no_problem_if_modules(sub, f"{label} is too large")
            continue
        _read_walk(sub, _walk_archive(data, reading, relative.name), reading, label)


def _zip_group_members(archive, members, reading):
    """The members of one folder entry of the LMS's zip, as a walk (see `_zip_members`)."""
    for relative, info in members:
        reading.budget.entry()
        if SKIPPED_DIRS.intersection(relative.parts[:-1]) or len(relative.parts) > MAX_DEPTH:
            continue
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            yield relative, None
        elif reading.interesting(relative):
            data = _read_zip_member(archive, info, reading.budget)
            yield relative, (lambda data=data: data)


@dataclass
class Budget:
    """What reading one student's hand-in may cost, all their entries together."""

    entries: int = MAX_ENTRIES
    bytes: int = MAX_STUDENT_BYTES
    deadline: float = field(default_factory=lambda: time.monotonic() + MAX_STUDENT_SECONDS)

    def entry(self) -> None:
        self.entries -= 1
        if self.entries < 0:
            raise ValueError(f"more than {MAX_ENTRIES} files and folders (a virtual environment or data "
                             f"inside?); send only the kata's files")
        if time.monotonic() > self.deadline:
            raise ValueError(f"reading it took more than {MAX_STUDENT_SECONDS} s; send only the kata's files")

    def spend(self, count: int) -> None:
        self.bytes -= count
        if self.bytes < 0:
            raise ValueError(f"more than {MAX_STUDENT_BYTES // 1_000_000} MB to read; send only the kata's files")


@dataclass
class Reading:
    """What one student's entries are read for, and their budget."""

    wanted: set
    own: set
    budget: Budget

    def interesting(self, member: PurePosixPath) -> bool:
        """Whether a member's bytes are needed: a step module, a notebook, a file to tell the instructor of."""
        return member.name in self.wanted or member.name.endswith(".ipynb") or _suspicious(member)


def _dedupe_ids(found: dict) -> None:
    """Two entries whose names give the same id (e.g. `Ana` and `ana`): give the later ones a suffix."""
    seen = {}
    for key in sorted(found):
        sub = found[key]
        base = sub.student
        count = seen.get(base, 0)
        seen[base] = count + 1
        if count:
            sub.student = f"{base}-{count + 1}"
            sub.notes.append(f"another submission also maps to the id {base}; this one is {sub.student}")


def _read_entry(sub, entry: Path, own_name, reading) -> None:
    info = entry.lstat()
    if stat.S_ISLNK(info.st_mode):
        sub.notes.append(f"{entry.name} is a symbolic link: not followed")
        _no_problem_if_modules(sub, f"{entry.name} is a symbolic link")
        return
    if stat.S_ISDIR(info.st_mode):
        _read_walk(sub, _walk_folder(entry, reading.budget), reading, entry.name)
        for archive in _archives_in(entry):   # Moodle's "in folders" download: the student's own .zip inside
            _read_walk(sub, _walk_archive(archive, reading), reading, f"{entry.name}/{archive.name}")
        return
    if not stat.S_ISREG(info.st_mode):
        sub.notes.append(f"{entry.name} is not a regular file (a pipe or a device?): not read")
        _no_problem_if_modules(sub, f"{entry.name} is not a regular file")
        return
    if entry.name.lower().endswith(ARCHIVES):
        _read_walk(sub, _walk_archive(entry, reading), reading, entry.name)
    else:   # a flat file an LMS wrote (the student's own name is after the LMS prefix)
        file_name = own_name or entry.name
        _read_walk(sub, iter([(PurePosixPath(file_name), lambda: _read_capped_file(entry, MAX_NOTEBOOK_BYTES))]),
                   reading, entry.name)


def _archives_in(folder: Path) -> list:
    """The archives lying directly in a submission folder (regular files only, never links)."""
    return sorted(p for p in folder.iterdir()
                  if p.name.lower().endswith(ARCHIVES) and stat.S_ISREG(p.lstat().st_mode))


def _no_problem_if_modules(sub, problem):
    if not sub.modules:
        sub.problem = problem


# --------------------------------------------------------------------------- walking
# Each walk yields (member path, reader): `reader()` → bytes, or None when larger than allowed; or
# instead of a reader None (a symbolic link), False (not a regular file), "unsafe" (a path that
# climbs out) or ("broken", why) as the last item when the archive ends in an error.


def _walk_folder(root: Path, budget):
    """The regular files under `root`: iterative, bounded, junk skipped."""
    stack = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            children = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for child in children:
            if child.name in SKIPPED_DIRS:
                continue
            budget.entry()
            relative = PurePosixPath(Path(child.path).relative_to(root).as_posix())
            if child.is_symlink():
                yield relative, None
            elif child.is_dir(follow_symlinks=False):
                if depth + 1 < MAX_DEPTH:
                    stack.append((Path(child.path), depth + 1))
            elif child.is_file(follow_symlinks=False):
                yield relative, (lambda p=Path(child.path): _spent(budget, _read_capped_file(p, MAX_NOTEBOOK_BYTES)))
            else:
                yield relative, False


def _spent(budget, data):
    if data is not None:
        budget.spend(len(data))
    return data


def _read_capped_file(path: Path, limit: int):
    """The bytes of a regular file, or None when larger than `limit`. Opened without following a
    link and without blocking, so a FIFO swapped in after the walk cannot hang the grader."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise ValueError(f"{path.name} is not a regular file")
        data = handle.read(limit + 1)
    return None if len(data) > limit else data


def _safe_member(name: str):
    member = PurePosixPath(name.replace("\\", "/"))
    if member.is_absolute() or ".." in member.parts or re.match(r"^[A-Za-z]:", name):
        return None
    return member


def _walk_archive(source, reading, name=None):
    """An archive (a path, or its bytes when it came inside another archive), read once from start to
    end: only the members worth reading are decompressed, each bounded, so a 2,000-file archive costs
    one pass and a zip bomb costs nothing. An error (truncated, corrupt, encrypted, too slow) ends the
    walk with a ("broken", why) item, after every member read before it."""
    name = name or Path(source).name
    size = len(source) if isinstance(source, bytes) else Path(source).stat().st_size
    if size > MAX_ARCHIVE_BYTES:
        yield PurePosixPath(name), ("broken", f"larger than {MAX_ARCHIVE_BYTES // 1_000_000} MB: not opened")
        return
    opened = io.BytesIO(source) if isinstance(source, bytes) else source
    walk = _zip_members(opened, reading) if name.lower().endswith(".zip") else _tar_members(opened, reading)
    try:
        yield from walk
    except Exception as err:  # noqa: BLE001 — whatever the archive libraries raise, the archive is broken
        yield PurePosixPath(name), ("broken", f"{type(err).__name__}: {str(err)[:160]}")


def _zip_members(source, reading):
    with zipfile.ZipFile(source) as archive:
        for info in archive.infolist():
            reading.budget.entry()
            member = _safe_member(info.filename)
            if member is None:
                yield PurePosixPath(f"<unsafe path {info.filename[:80]!r}>"), "unsafe"
            elif info.is_dir() or SKIPPED_DIRS.intersection(member.parts[:-1]) or len(member.parts) > MAX_DEPTH:
                continue
            elif (info.external_attr >> 16) & 0o170000 == 0o120000:
                yield member, None
            elif reading.interesting(member):
                data = _read_zip_member(archive, info, reading.budget)
                yield member, (lambda data=data: data)


def _read_zip_member(archive, info, budget, limit=MAX_NOTEBOOK_BYTES):
    """One member's bytes (None when larger than `limit`); an encrypted one raises ValueError."""
    if info.file_size > limit:
        return None
    if info.flag_bits & 0x1:
        raise ValueError(f"{info.filename[:80]} is encrypted (a password-protected zip); send it without a password")
    with archive.open(info) as handle:
        data = handle.read(limit + 1)
    return None if len(data) > limit else _spent(budget, data)


def _tar_members(source, reading):
    stream = {"fileobj": source} if isinstance(source, io.BytesIO) else {"name": source}
    with tarfile.open(mode="r|*", **stream) as archive:      # a stream: one pass, members in order
        for info in archive:
            reading.budget.entry()
            member = _safe_member(info.name)
            if member is None:
                yield PurePosixPath(f"<unsafe path {info.name[:80]!r}>"), "unsafe"
            elif info.isdir() or SKIPPED_DIRS.intersection(member.parts[:-1]) or len(member.parts) > MAX_DEPTH:
                continue
            elif info.issym() or info.islnk():
                yield member, None
            elif not info.isreg():
                yield member, False
            elif reading.interesting(member):
                data = None
                if info.size <= MAX_NOTEBOOK_BYTES:
                    handle = archive.extractfile(info)
                    data = _spent(reading.budget, handle.read(info.size) if handle else b"")
                yield member, (lambda data=data: data)


# --------------------------------------------------------------------------- picking the modules


def _read_walk(sub, walk, reading, label) -> None:
    """Pick the wanted modules (and notebook cells) out of a walk; note what deserves a note."""
    candidates = {}
    for member, read in walk:
        name = member.name
        if isinstance(read, tuple):
            sub.notes.append(f"{label} cannot be read ({read[1]}); only the files before the damage, if any, were read")
            _no_problem_if_modules(sub, f"{label} cannot be read ({read[1].split(':')[0]})")
            continue
        if read == "unsafe":
            sub.notes.append(f"{label}: {member} is not a safe path: ignored")
            continue
        if read is None:
            if name in reading.wanted:
                sub.notes.append(f"{label}: {member} is a symbolic link: ignored (send the file itself)")
            continue
        if read is False:
            if name in reading.wanted:
                sub.notes.append(f"{label}: {member} is not a regular file: ignored")
            continue
        if "pristine" in member.parts and "kata" in member.parts:
            continue    # the release's own copies of the stubs
        if name in reading.wanted:
            candidates.setdefault(name, []).append((len(member.parts), str(member), read))
        elif name.endswith(".ipynb"):
            _notebook_cells(sub, member, read, reading.wanted, candidates, label)
        elif _suspicious(member):
            data = read()
            if data is not None and hashlib.sha256(data).hexdigest() not in reading.own and \
                    len(sub.extra_files) < MAX_EXTRA_FILES:
                sub.extra_files.append(f"{label}/{member}" if label != str(member) else str(member))
    for name, found in candidates.items():
        found.sort(key=lambda c: c[:2])
        depth, where, read = found[0]
        try:
            data = read()
        except (OSError, ValueError) as err:
            sub.notes.append(f"{label}: {where} cannot be read ({err}): ignored")
            continue
        if data is None or len(data) > MAX_MODULE_BYTES:
            sub.notes.append(f"{label}: {where} is larger than {MAX_MODULE_BYTES} bytes: ignored")
        elif name not in sub.modules:
            sub.modules[name] = data
            others = [c for c in found[1:] if not _kata_own(c[2], reading.own)]
            _note_copies(sub, name, _shown(label, where), [_shown(label, c[1]) for c in others],
                         any(c[0] == depth for c in others))
        else:   # the same module in another entry of this student (two archives, a file beside a folder)
            others = [c for c in found if not _kata_own(c[2], reading.own)]
            _note_copies(sub, name, None, [_shown(label, c[1]) for c in others], False)
    if sub.modules and sub.problem:
        sub.problem = ""


def _kata_own(read, own: set) -> bool:
    """Whether a file is one of the kata's own (a whole-kata hand-in carries `kata/commands/train.py`
    beside `exercises/train.py`): no copy of the student's step."""
    try:
        data = read()
    except (OSError, ValueError):
        return False
    return data is not None and hashlib.sha256(data).hexdigest() in own


def _shown(label: str, where: str) -> str:
    """Where a file is inside the hand-in, as the student knows it (the entry's own name when it is
    an LMS's flat file, which names one file)."""
    return where if label != where and not label.endswith(f"_{where}") else Path(where).name


def _note_copies(sub, name, graded, ignored, same_depth) -> None:
    """Record that `name` came more than once: the copy graded and the ones not (for the feedback
    and the report), and a note for the instructor."""
    if not ignored:
        return
    copy = next((c for c in sub.copies if c["module"] == name), None)
    if copy is None:
        copy = {"module": name, "graded": graded or "", "ignored": []}
        sub.copies.append(copy)
    copy["graded"] = copy["graded"] or graded or ""
    copy["ignored"] = [*copy["ignored"], *ignored][:MAX_COPIES_SHOWN]
    why = "at the same depth: the first by name is graded" if same_depth else "the shallowest copy is graded"
    graded_text = copy["graded"] or "the one in another entry"
    sub.notes.append(f"several copies of {name}: graded {graded_text}, not "
                     f"{', '.join(ignored[:MAX_COPIES_SHOWN])} ({why})")


def _suspicious(member: PurePosixPath) -> bool:
    """A file worth telling the instructor about when it is not the kata's own copy: pytest's and
    Python's start-up files, `.pth` files, and any other Python module (tests included)."""
    if member.name.startswith("._"):      # macOS's AppleDouble companions of copied files
        return False
    return member.name in SUSPICIOUS or member.suffix in (".py", ".pth")


def _notebook_cells(sub, member, read, wanted, candidates, label) -> None:
    """A notebook's `%%kata_module NAME` cells, as modules NAME.py (nbgrader's student notebook)."""
    data = read()
    if data is None:
        sub.notes.append(f"{label}: {member} is too large to read")
        return
    try:
        cells = json.loads(data.decode("utf-8")).get("cells", [])
    except (ValueError, UnicodeDecodeError, AttributeError):
        sub.notes.append(f"{label}: {member} is not a readable notebook")
        return
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        elif not isinstance(source, str):
            sub.notes.append(f"{label}: {member} has a cell whose source is not text: that cell is ignored")
            continue
        found = MODULE_MAGIC.match(source)
        if found and f"{found.group(1)}.py" in wanted:
            text = source[found.end():].encode("utf-8")
            candidates.setdefault(f"{found.group(1)}.py", []).append(
                (len(member.parts) + 1, f"{member}[{found.group(1)}]", lambda text=text: text))
