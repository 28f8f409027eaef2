"""Where the kata's folders and files are.

The root is the folder holding `kata/steps.toml`: `KATA_ROOT` if set, else the nearest such folder
above the working directory (a student's copy), else the one this package was installed from.
"""

import os
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def _is_root(folder: Path) -> bool:
    return (folder / "kata" / "steps.toml").is_file()


def find_root(start=None) -> Path:
    """The kata root that commands act on."""
    env = os.environ.get("KATA_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if _is_root(folder):
            return folder
    return PACKAGE_ROOT


def solutions_dir(root=None) -> Path:
    return Path(root or find_root()) / "solutions"


def exercises_dir(root=None) -> Path:
    return Path(root or find_root()) / "exercises"


def suite_path(step, root=None) -> Path:
    """tests/steps/test_<step id>.py: the public tests of a step (a Step or its id)."""
    step_id = getattr(step, "id", step)
    return Path(root or find_root()) / "tests" / "steps" / f"test_{step_id}.py"


def exercise_path(step, root=None) -> Path:
    """exercises/<module>.py: the learner's file of a step."""
    return exercises_dir(root) / step.filename


def relative(path, root) -> str:
    """`path` as the learner would type it from the kata root (forward slashes)."""
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(path)
