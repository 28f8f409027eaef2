"""`kata dev release OUT`: the bundle a student receives, without any answer in it.

The bundle holds the stubs (`exercises/`), the public tests, the notebooks, the dataset loader, the
`kata` package (which works without `solutions/`: the tests then use the student's own earlier
steps), the project files and a README written for students (`kata_dev/student_readme.py`: how to
start, check, train and hand in; the repository's README is the maintainers'). It never holds
`solutions/`, `tests/project/` (mutants and alternatives are answers too), `tests/hidden/` (the
instructor's tests) or `course/` (its source notebook holds the solutions).

The bundle is built in a temporary folder next to OUT, checked, and only then renamed to OUT,
so a failure leaves nothing half-written.
"""

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from kata.paths import find_root
from kata.cli import PLUGIN_GROUP
from kata.stubs import BEGIN, PRISTINE_DIR, has_marker

# (path relative to the root, required?) copied as they are.
COPIED = (
    ("tests/steps", True),
    ("conftest.py", True),
    ("input_data.py", True),
    ("kata", True),
    ("requirements.lock", True),
    ("docker", True),
    ("notebooks", False),
    ("LICENSE", False),
    ("Dockerfile", False),
    ("docker-compose.yml", False),
    (".dockerignore", False),
    (".env.example", False),
    (".gitignore", False),
)
FORBIDDEN = ("solutions", "tests/project", "tests/hidden", "kata_dev", "course")
IGNORED = ("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.bak-*", "*.egg-info", ".kata", ".pytest_cache")


class ReleaseError(Exception):
    """The bundle cannot be made, or is not safe to hand out; the message says why and what to do."""


@dataclass
class Release:
    """What was written: the folder, its files (relative paths) and what was missing."""

    out: Path
    files: list = field(default_factory=list)
    skipped: list = field(default_factory=list)   # optional paths the repository lacks

    def counts(self) -> dict:
        """{top-level entry: number of files}."""
        found = {}
        for rel in self.files:
            top = rel.split("/", 1)[0]
            found[top] = found.get(top, 0) + 1
        return found

    def size(self) -> int:
        return sum((self.out / rel).stat().st_size for rel in self.files)


def release(out, root=None, *, force=False) -> Release:
    """Write the student bundle to `out`; raises ReleaseError and leaves `out` untouched on failure."""
    root = Path(root or find_root()).resolve()
    out = Path(out).expanduser().resolve()
    _check_target(out, root, force)
    if not (root / "solutions").is_dir():
        raise ReleaseError(f"{root}: no solutions/ folder; a release is built from the instructor's "
                           f"repository, whose solutions/ generate the stubs")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.building-"))
    staging.chmod(0o755)   # mkdtemp's 0700 would hide the bundle from every other user (and a container's uid)
    try:
        skipped = _fill(staging, root)
        problems = scan(staging)
        if problems:
            raise ReleaseError("the bundle would leak answers, so nothing was written:\n  " + "\n  ".join(problems))
        _replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Release(out, _files(out), skipped)


def _check_target(out: Path, root: Path, force: bool) -> None:
    """Refuse targets that would overwrite work: the repository, a folder above it, a non-empty one."""
    if out == root or out in root.parents:
        raise ReleaseError(f"{out}: this is the kata repository (or holds it); choose another folder for the release")
    for name in ("exercises", "solutions", "tests", "kata", "grader", "notebooks"):
        if out.is_relative_to(root / name):
            raise ReleaseError(f"{out}: inside {root / name}, which the release copies; choose a folder outside it")
    if out.exists() and not out.is_dir():
        raise ReleaseError(f"{out} exists and is not a folder; choose another path")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise ReleaseError(f"{out} is not empty; choose an empty or new folder, or pass --force to replace it")
        if (out / "solutions").exists() or (out / ".git").exists():
            raise ReleaseError(f"{out} holds solutions/ or .git/, so it looks like a working repository, "
                               f"not an old release; --force will not replace it")


def _fill(staging: Path, root: Path) -> list:
    """Copy and generate the bundle's files into `staging`; returns the optional paths missing."""
    from kata.files import write_atomic
    from kata_dev import student_readme
    from kata_dev.build import exercise_files

    skipped = []
    for rel, required in COPIED:
        source = root / rel
        if not source.exists():
            if required:
                raise ReleaseError(f"{source} is missing; the release needs it")
            skipped.append(rel)
            continue
        target = staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns(*IGNORED))
        else:
            shutil.copy2(source, target)
    write_atomic(staging / "pyproject.toml", learner_pyproject((root / "pyproject.toml").read_text(encoding="utf-8")))
    write_atomic(staging / "README.md", student_readme.readme(root))
    # Fresh stubs rather than a copy of exercises/, so a maintainer's experiments never ship;
    # a second copy in kata/pristine/ lets `kata reset` and `kata status` work without solutions/.
    for rel, text in exercise_files(root).items():
        write_atomic(staging / rel, text)
        write_atomic(staging / PRISTINE_DIR / Path(rel).name, text)
    return skipped


def _replace(staging: Path, out: Path) -> None:
    """Put `staging` in the place of `out` (absent, empty, or an old release replaced with --force)."""
    if out.is_dir() and not any(out.iterdir()):
        out.rmdir()
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
    os.replace(staging, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _files(folder: Path) -> list:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def learner_pyproject(text: str) -> str:
    """The repository's pyproject.toml without what only the instructor's package needs: the
    `kata dev` entry point and the `dev` extra. Everything else (dependencies, the `kata` script,
    pytest's settings) stays as it is, so the bundle installs exactly what the course needs."""
    import tomlkit

    doc = tomlkit.parse(text)
    project = doc["project"]
    project.get("entry-points", {}).pop(PLUGIN_GROUP, None)
    if "entry-points" in project and not project["entry-points"]:
        del project["entry-points"]
    project.get("optional-dependencies", {}).pop("dev", None)
    if "optional-dependencies" in project and not project["optional-dependencies"]:
        del project["optional-dependencies"]
    return tomlkit.dumps(doc)


def _notebook_has_marker(text: str) -> bool:
    try:
        cells = json.loads(text).get("cells", [])
    except (ValueError, AttributeError):
        return has_marker(text)
    for cell in cells:
        source = cell.get("source", "")
        if has_marker("".join(source) if isinstance(source, list) else source):
            return True
    return False


def scan(folder) -> list:
    """Every reason the bundle in `folder` is unsafe to hand out: forbidden folders, solution markers."""
    folder = Path(folder)
    problems = [f"{name}/ is present" for name in FORBIDDEN if (folder / name).exists()]
    for rel in _files(folder):
        try:
            text = (folder / rel).read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue   # binary files hold no source code
        found = _notebook_has_marker(text) if rel.endswith(".ipynb") else has_marker(text)
        if found:
            problems.append(f"{rel} contains a '{BEGIN}' marker")
    return problems
