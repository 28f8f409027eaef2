"""Find the students' submissions and read the step modules out of them, safely.

A submission is a folder `SUBMISSIONS/<student>/` or an archive `SUBMISSIONS/<student>.zip`.
Only the files named in the manifest (`<module>.py`) are ever read; everything else a student
sends (conftest.py, pytest.ini, tests/, sitecustomize.py, other modules) is ignored. Folders and
archives are searched alike, at any depth (students often send their whole kata copy): the
shallowest copy of a module wins, then the first by path (`exercises/` before `solutions/`), and
the feedback notes when there were several.
"""

import hashlib
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_MODULE_BYTES = 1_000_000      # a step module is a few kB; anything bigger is not source code
MAX_ZIP_BYTES = 50_000_000        # the archive file itself
MAX_ZIP_ENTRIES = 10_000
_STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")


class SubmissionError(ValueError):
    """The submissions folder cannot be read at all (the message names the path and the fix)."""


@dataclass
class Submission:
    """One student's step modules: {filename: source bytes}, plus notes about what was ignored."""

    student: str
    origin: Path
    modules: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)

    def fingerprint(self) -> str:
        """sha256 over the modules the grader uses; a changed submission is graded again."""
        digest = hashlib.sha256()
        for name in sorted(self.modules):
            digest.update(name.encode() + b"\0" + hashlib.sha256(self.modules[name]).digest())
        return digest.hexdigest()


def discover(folder, filenames) -> list:
    """(submissions sorted by student id, lines about entries ignored); `filenames` are the modules wanted."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SubmissionError(f"{folder}: no such folder; pass the folder holding one sub-folder "
                              f"(or one .zip) per student")
    found = {}
    skipped = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and not entry.is_symlink():
            student = entry.name
        elif entry.suffix == ".zip" and entry.is_file() and not entry.is_symlink():
            student = entry.stem
        else:
            skipped.append(f"{entry.name}: not a folder or a .zip, ignored")
            continue
        if not _STUDENT_ID.match(student):
            skipped.append(f"{entry.name}: the name is not a usable student id "
                           f"(letters, digits, . _ @ + -), ignored; rename it")
            continue
        if student in found:
            skipped.append(f"{entry.name}: {student} also has {found[student].name}; the folder is graded")
            if entry.is_dir():
                found[student] = entry
            continue
        found[student] = entry
    subs = [read(path, student, filenames) for student, path in sorted(found.items())]
    return subs, skipped


def read(path: Path, student: str, filenames) -> Submission:
    """The step modules of one submission (folder or zip)."""
    sub = Submission(student, path)
    if path.is_dir():
        _read_folder(sub, path, filenames)
    else:
        _read_zip(sub, path, filenames)
    return sub


def _read_folder(sub: Submission, path: Path, filenames) -> None:
    """Pick the wanted modules out of a folder, at any depth, as from a zip: the shallowest copy
    wins (then the first by path), symbolic links are never followed or read."""
    candidates = {}
    seen = 0
    for folder, dirs, files in os.walk(path, followlinks=False):
        seen += len(dirs) + len(files)
        if seen > MAX_ZIP_ENTRIES:
            sub.notes.append(f"{path.name} holds more than {MAX_ZIP_ENTRIES} entries: only the first were searched")
            break
        dirs.sort()
        for name in sorted(set(files) & set(filenames)):
            found = Path(folder) / name
            candidates.setdefault(name, []).append((len(found.relative_to(path).parts), str(found), found))
    for name, found in candidates.items():
        found.sort(key=lambda c: c[:2])
        candidate = found[0][2]
        rel = candidate.relative_to(path)
        if len(found) > 1:
            sub.notes.append(f"{path.name}: several copies of {name}; graded {rel}")
        if candidate.is_symlink():
            sub.notes.append(f"{rel} is a symbolic link: ignored (send the file itself)")
            continue
        data = _read_capped(candidate.open("rb"))
        if data is None:
            sub.notes.append(f"{rel} is larger than {MAX_MODULE_BYTES} bytes: ignored")
        else:
            sub.modules[name] = data


def _read_capped(handle):
    with handle:
        data = handle.read(MAX_MODULE_BYTES + 1)
    return None if len(data) > MAX_MODULE_BYTES else data


def _read_zip(sub: Submission, path: Path, filenames) -> None:
    """Pick the wanted modules out of the archive; never extracts anything to disk."""
    if path.stat().st_size > MAX_ZIP_BYTES:
        sub.notes.append(f"{path.name} is larger than {MAX_ZIP_BYTES} bytes: not opened")
        return
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        sub.notes.append(f"{path.name} is not a readable zip archive ({err}): nothing graded")
        return
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            sub.notes.append(f"{path.name} holds more than {MAX_ZIP_ENTRIES} entries: not opened")
            return
        by_name = {}
        for info in infos:
            member = PurePosixPath(info.filename.replace("\\", "/"))
            if member.is_absolute() or ".." in member.parts or re.match(r"^[A-Za-z]:", info.filename):
                sub.notes.append(f"{path.name}: entry {info.filename!r} has an unsafe path: ignored")
                continue
            if info.is_dir() or member.name not in filenames:
                continue
            if _is_symlink(info):
                sub.notes.append(f"{path.name}: {info.filename} is a symbolic link: ignored")
                continue
            by_name.setdefault(member.name, []).append((len(member.parts), info.filename, info))
        for name, candidates in by_name.items():
            candidates.sort(key=lambda c: c[:2])
            _, chosen, info = candidates[0]
            if len(candidates) > 1:
                sub.notes.append(f"{path.name}: several copies of {name}; graded {chosen}")
            try:
                data = _read_capped(archive.open(info))
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as err:
                sub.notes.append(f"{path.name}: {chosen} cannot be read ({err}): ignored")
                continue
            if data is None:
                sub.notes.append(f"{path.name}: {chosen} is larger than {MAX_MODULE_BYTES} bytes: ignored")
            else:
                sub.modules[name] = data


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return (info.external_attr >> 16) & 0o170000 == 0o120000
