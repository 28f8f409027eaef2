"""A frozen copy of everything a grading child runs: the kata code, the manifest, the pristine
step tests and the reference solutions.

The files are read once, when grading starts, and every child gets a fresh copy on disk. A
submission that rewrites the repository's tests or the `kata` package while it runs (the child
has the grader's file permissions) cannot change how any other submission is graded; `changed()`
tells the grader it happened, so it can say so.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from kata.paths import PACKAGE_ROOT

# Code comes from the grader's own installation; data (manifest, tests, solutions) from the root.
_CODE = ("kata", "kata_dev", "input_data.py")
_DATA = ("kata/steps.toml", "pyproject.toml", "conftest.py", "tests/steps", "tests/hidden", "solutions")
_SKIP_DIRS = {"__pycache__", "source", "submissions", ".pytest_cache"}
_MAX_FILE = 5_000_000


@dataclass
class Snapshot:
    """{relative path: bytes} plus where each file came from (to detect later changes)."""

    files: dict
    origins: dict

    def write(self, dest: Path) -> Path:
        """Materialise the snapshot under `dest` (a fresh folder) and return it."""
        for rel, data in self.files.items():
            path = dest / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return dest

    def changed(self) -> list:
        """Original files whose content differs from the snapshot (or that vanished)."""
        out = []
        for rel, origin in self.origins.items():
            try:
                same = origin.read_bytes() == self.files[rel]
            except OSError:
                same = False
            if not same:
                out.append(str(origin))
        return sorted(out)

    def fingerprint(self, prefixes=("kata/steps.toml", "tests/", "solutions/")) -> str:
        """sha256 of the grading data: results graded against other tests are not resumed."""
        h = hashlib.sha256()
        for rel in sorted(self.files):
            if rel.startswith(prefixes):
                h.update(rel.encode() + b"\0" + hashlib.sha256(self.files[rel]).digest())
        return h.hexdigest()


def take(root: Path) -> Snapshot:
    """Read the code and the grading data of the kata at `root`."""
    root = Path(root).resolve()
    files, origins = {}, {}

    def add(base: Path, rel: str):
        path = base / rel
        if path.is_file():
            _add_file(files, origins, rel, path)
        elif path.is_dir():
            for item in sorted(path.rglob("*")):
                if item.is_file() and not _SKIP_DIRS.intersection(item.relative_to(base).parts[:-1]):
                    _add_file(files, origins, item.relative_to(base).as_posix(), item)

    for rel in _CODE:
        add(PACKAGE_ROOT, rel)
    for rel in _DATA:
        add(root, rel)
    return Snapshot(files, origins)


def _add_file(files, origins, rel, path: Path):
    if path.suffix in (".pyc",) or path.stat().st_size > _MAX_FILE:
        return
    files[rel] = path.read_bytes()
    origins[rel] = path
