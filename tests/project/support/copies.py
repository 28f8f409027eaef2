"""Copies of the kata to work on, as a learner has it."""

import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LEARNER_PARTS = ("kata", "exercises", "tests/steps", "conftest.py", "pyproject.toml", "input_data.py")


def student_copy(dest: Path) -> Path:
    """What a student release holds of the kata (no solutions, no instructor's tests; the stubs as
    it ships them, in kata/pristine/), in `dest`."""
    from kata import manifest
    from kata.stubs import PRISTINE_DIR, stub_text

    _copy(LEARNER_PARTS, dest)
    (dest / PRISTINE_DIR).mkdir(parents=True, exist_ok=True)
    for step in manifest.steps(ROOT):
        (dest / PRISTINE_DIR / step.filename).write_text(stub_text(step, ROOT), encoding="utf-8")
    return dest


def solved(step_filename: str) -> str:
    """A reference solution as a learner would have typed it (no solution markers)."""
    source = (ROOT / "solutions" / step_filename).read_text(encoding="utf-8")
    return "".join(line for line in source.splitlines(keepends=True) if "### " not in line)


COPIED = ("kata", "kata_dev", "course", "solutions", "exercises", "tests/steps", "tests/hidden", "tests/project",
          "conftest.py", "pyproject.toml", "input_data.py", "requirements.lock", "docker")


def copy_repository(dest: Path) -> Path:
    """Copy the parts of the repository the CLI needs into `dest` (no .git, no caches)."""
    return _copy(COPIED, dest)


def _copy(parts, dest: Path) -> Path:
    """The repository's `parts` (folders and files) into `dest`, without caches or backups."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".kata", "*.bak-*", ".pytest_cache")
    for rel in parts:
        source, target = ROOT / rel, dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=ignore)
        elif source.exists():
            shutil.copy2(source, target)
    return dest


def child_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "KATA_ROOT"}
    env.update(KATA_LANG="en", TF_CPP_MIN_LOG_LEVEL="2", MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env

