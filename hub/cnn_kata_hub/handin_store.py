"""The hand-in store: every hand-in of every student, kept whole and never overwritten, and the
folder the instructor grades.

Layout under the store's root (a volume of its own on the class server, a PVC on Kubernetes):

    handins/<student>/<UTC time>-<sha256[:12]>/exercises/<module>.py   one folder per hand-in
    handins/<student>/<UTC time>-<sha256[:12]>/manifest.json           its record (below)
    latest/<student>/exercises/<module>.py                             the latest hand-in of each
    latest/.handins.json                                               who handed in what, when, late or not
    deadline.json                                                      the instructor's deadline, once moved

`latest/` is what `kata dev grade` reads: one folder per student named by their hub username, the
layout of a class downloaded from an LMS; its index starts with a dot, so the grader passes it by.

Every write goes to a temporary name first and is renamed into place, so a crash leaves either
the old state or the new one; a hand-in's folder is created once and never written again. The
student is whoever the hub says owns the token (the service decides that, never the request),
and what a request may carry is checked here before anything is written: file names (only
`exercises/<module>.py`), sizes, counts. Nothing here imports JupyterHub or tornado.
"""

import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from cnn_kata_hub.pages import Message

# What one hand-in may hold. The step modules of the kata are ten files of a few kB each; these
# leave ample room and keep a hostile student from filling the disk everyone shares. The kata's
# client (kata/handin.py) checks the same numbers before it sends anything.
MAX_FILES = 20
MAX_FILE_BYTES = 1_000_000         # the grader reads no step module larger than this either
MAX_TOTAL_BYTES = 2_000_000
MAX_HANDINS = 100                  # per student; the 101st is refused (the instructor can make room)
# A request body: the files in base64 inside JSON (4/3 of the bytes) and a little more.
MAX_BODY_BYTES = 3_000_000

FILE_NAME = re.compile(r"exercises/[A-Za-z_][A-Za-z0-9_]{0,63}\.py")
# JupyterHub's usernames as this hub makes them (the LMS's id, lower case; a class list's names).
STUDENT = re.compile(r"[a-z0-9][a-z0-9._@+-]{0,99}")
STAMP = "%Y%m%dT%H%M%S.%fZ"
INDEX = ".handins.json"


class Refused(ValueError):
    """A hand-in or request the store will not take; `message` says why and what to do, in both languages."""

    def __init__(self, reason: str, status: int, message: Message):
        super().__init__(f"{reason}: {message.en}")
        self.reason, self.status, self.message = reason, status, message


def _refuse(reason, status, es, en):
    raise Refused(reason, status, Message(es, en))


def megabytes(size: int) -> tuple:
    """A size as people read it, (Spanish, English): ('2,5 MB', '2.5 MB')."""
    text = f"{size / 1e6:.1f}".rstrip("0").rstrip(".") if size >= 100_000 else f"{size / 1e6:.2f}"
    return f"{text.replace('.', ',')} MB", f"{text} MB"


def check_student(student: str) -> str:
    if not isinstance(student, str) or not STUDENT.fullmatch(student):
        _refuse("username", 400,
                f"Tu nombre de usuario ({student!r}) no puede nombrar una carpeta de entregas: avisa a tu profesor.",
                f"Your username ({student!r}) cannot name a hand-in folder: tell your instructor.")
    return student


def check_files(files) -> dict:
    """The hand-in's files as {name: bytes}, or Refused naming the first thing wrong."""
    if not isinstance(files, dict) or not files:
        _refuse("empty", 400, "La entrega no trae ningún fichero: entrega tus ficheros de exercises/.",
                "The hand-in carries no file: hand in your files from exercises/.")
    if len(files) > MAX_FILES:
        _refuse("too_many_files", 400,
                f"La entrega trae {len(files)} ficheros y caben {MAX_FILES}: entrega solo tus ficheros de exercises/.",
                f"The hand-in carries {len(files)} files and {MAX_FILES} fit: hand in only your files from exercises/.")
    total = 0
    for name, data in files.items():
        if not isinstance(name, str) or not FILE_NAME.fullmatch(name):
            shown = repr(name)[:80]
            _refuse("file_name", 400,
                    f"{shown} no es un fichero que se pueda entregar: solo valen exercises/<módulo>.py.",
                    f"{shown} is not a file that can be handed in: only exercises/<module>.py will do.")
        if not isinstance(data, bytes):
            raise TypeError(f"{name}: the store takes bytes")
        if len(data) > MAX_FILE_BYTES:
            (es, en), (most_es, most_en) = megabytes(len(data)), megabytes(MAX_FILE_BYTES)
            _refuse("file_too_large", 413,
                    f"{name} ocupa {es} y caben {most_es}: un paso es código, no datos.",
                    f"{name} is {en} and {most_en} fit: a step is code, not data.")
        total += len(data)
    if total > MAX_TOTAL_BYTES:
        too_large(total, MAX_TOTAL_BYTES)
    return files


def too_large(size: int, most: int):
    (es, en), (most_es, most_en) = megabytes(size), megabytes(most)
    _refuse("too_large", 413, f"La entrega ocupa {es} y caben {most_es}: entrega solo tus ficheros de exercises/.",
            f"The hand-in is {en} and {most_en} fit: hand in only your files from exercises/.")


def fingerprint(files: dict) -> str:
    """sha256 over the names and contents, in name order: equal hand-ins have equal fingerprints."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def parse_deadline(text: str) -> datetime:
    """An ISO 8601 time with its time zone (2026-06-30T23:59+02:00, or …Z for UTC), as UTC."""
    try:
        moment = datetime.fromisoformat(str(text).strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a time: write it like 2026-06-30T23:59+02:00") from None
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone: write it like 2026-06-30T23:59+02:00 (or Z for UTC)")
    return moment.astimezone(timezone.utc)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Receipt:
    """What a hand-in became: its record, and whether it only repeated the latest one."""

    record: dict
    unchanged: bool = False


class Store:
    """The hand-ins of a class under `root`; `default_deadline` is hub/.env's HUB_HANDIN_DEADLINE."""

    def __init__(self, root, default_deadline: datetime = None):
        self.root = Path(root)
        self.default_deadline = default_deadline
        (self.root / "handins").mkdir(parents=True, exist_ok=True)
        (self.root / "latest").mkdir(parents=True, exist_ok=True)

    # --- the deadline ------------------------------------------------------------------------------

    def deadline(self):
        """(the deadline in force or None, where it comes from: 'instructor', 'settings' or 'none')."""
        moved = self.root / "deadline.json"
        if moved.is_file():
            text = json.loads(moved.read_text(encoding="utf-8"))["deadline"]
            return (parse_deadline(text) if text else None), "instructor"
        return self.default_deadline, ("settings" if self.default_deadline else "none")

    def move_deadline(self, moment) -> None:
        """The instructor's deadline (a datetime, or None for none at all), kept across restarts;
        `reset_deadline` goes back to hub/.env's."""
        with self._locked():
            _write_atomic(self.root / "deadline.json",
                          json.dumps({"deadline": iso(moment) if moment else None}).encode())
            self._write_index()

    def reset_deadline(self) -> None:
        with self._locked():
            (self.root / "deadline.json").unlink(missing_ok=True)
            self._write_index()

    # --- hand-ins ----------------------------------------------------------------------------------

    def hand_in(self, student: str, files: dict, *, now: datetime = None, client: str = "") -> Receipt:
        """Keep `files` ({'exercises/<module>.py': bytes}) as `student`'s newest hand-in."""
        check_student(student)
        check_files(files)
        now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
        sha = fingerprint(files)
        with self._locked():
            earlier = self.history(student)
            if earlier and earlier[-1]["sha256"] == sha:
                return Receipt(earlier[-1], unchanged=True)
            if len(earlier) >= MAX_HANDINS:
                _refuse("too_many_handins", 409,
                        f"Ya has entregado {len(earlier)} veces, el máximo: avisa a tu profesor. Tu última entrega sigue guardada.",
                        f"You have handed in {len(earlier)} times, the most there can be: tell your instructor. "
                        f"Your latest hand-in is still kept.")
            deadline, _ = self.deadline()
            record = {
                "student": student,
                "id": f"{now.strftime(STAMP)}-{sha[:12]}",
                "received": now.isoformat(timespec="microseconds"),
                "sha256": sha,
                "number": len(earlier) + 1,
                "late": bool(deadline and now > deadline),
                "deadline": iso(deadline) if deadline else None,
                "files": {name: {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                          for name, data in sorted(files.items())},
                "client": str(client)[:100],
            }
            folder = self._keep(student, record, files)
            self._show_latest(student, folder)
            self._write_index()
            return Receipt(record)

    def history(self, student: str) -> list:
        """`student`'s hand-ins, oldest first (their records)."""
        folder = self.root / "handins" / check_student(student)
        if not folder.is_dir():
            return []
        records = []
        for entry in sorted(folder.iterdir()):
            manifest = entry / "manifest.json"
            if not entry.name.startswith(".") and manifest.is_file():
                records.append(json.loads(manifest.read_text(encoding="utf-8")))
        return records

    def students(self) -> list:
        folder = self.root / "handins"
        return sorted(p.name for p in folder.iterdir() if p.is_dir() and STUDENT.fullmatch(p.name))

    def index(self) -> dict:
        """{student: the latest hand-in's record less its file list, plus how many hand-ins there are}."""
        summary = {}
        for student in self.students():
            records = self.history(student)
            if records:
                latest = {k: v for k, v in records[-1].items() if k != "files"}
                summary[student] = {**latest, "handins": len(records), "files": sorted(records[-1]["files"])}
        return summary

    def files_of(self, student: str, handin_id: str) -> dict:
        """The files of one kept hand-in, {name: bytes}."""
        folder = self.root / "handins" / check_student(student) / handin_id
        if not re.fullmatch(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{12}", handin_id) or not folder.is_dir():
            raise KeyError(handin_id)
        return {f"exercises/{p.name}": p.read_bytes() for p in sorted((folder / "exercises").iterdir())}

    def tidy(self) -> None:
        """After a crash: leftovers of unfinished writes go, and `latest/` is made again from the records."""
        with self._locked():
            for student in self.students():
                for leftover in (self.root / "handins" / student).glob(".incoming-*"):
                    shutil.rmtree(leftover, ignore_errors=True)
            for leftover in (self.root / "latest").glob(".*-*"):
                if leftover.is_dir():
                    shutil.rmtree(leftover, ignore_errors=True)
            for student in self.students():
                records = self.history(student)
                if records:
                    self._show_latest(student, self.root / "handins" / student / records[-1]["id"])
            self._write_index()

    # --- writing -----------------------------------------------------------------------------------

    @contextmanager
    def _locked(self):
        """One writer at a time, even should two service processes share the store."""
        with open(self.root / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _keep(self, student: str, record: dict, files: dict) -> Path:
        """The hand-in's folder, written under a temporary name and renamed into place once whole."""
        home = self.root / "handins" / student
        home.mkdir(exist_ok=True)
        incoming = home / f".incoming-{secrets.token_hex(6)}"
        (incoming / "exercises").mkdir(parents=True)
        for name, data in files.items():
            _write_new(incoming / name, data)
        _write_new(incoming / "manifest.json", json.dumps(record, indent=1, sort_keys=True).encode())
        final = home / record["id"]
        os.rename(incoming, final)      # a new name: nothing is ever replaced (rename fails on a non-empty folder)
        return final

    def _show_latest(self, student: str, folder: Path) -> None:
        """latest/<student>/ becomes a copy of the hand-in in `folder`."""
        latest = self.root / "latest"
        fresh = latest / f".new-{student}-{secrets.token_hex(4)}"
        shutil.copytree(folder / "exercises", fresh / "exercises")
        current = latest / student
        if current.exists():
            old = latest / f".old-{student}-{secrets.token_hex(4)}"
            os.rename(current, old)
            os.rename(fresh, current)
            shutil.rmtree(old)
        else:
            os.rename(fresh, current)

    def _write_index(self) -> None:
        deadline, source = self.deadline()
        index = {"deadline": iso(deadline) if deadline else None, "deadline_from": source, "students": self.index()}
        _write_atomic(self.root / "latest" / INDEX, json.dumps(index, indent=1, sort_keys=True).encode())


def _write_new(path: Path, data: bytes) -> None:
    """A file that must not exist yet (O_EXCL: never through a link, never over another file)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _write_atomic(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    _write_new(temporary, data)
    os.replace(temporary, path)
