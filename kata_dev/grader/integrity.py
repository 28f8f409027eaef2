"""Proof that grading changed nothing the grader runs: its interpreter, its packages, its code.

Every sandbox is read-only, so this should never find anything; it is the backstop that turns a
sandbox escape into a refused run instead of grades nobody can trust. A fingerprint is the stat of
every file and folder under the guarded folders — size, modification and status-change times,
inode. Writing a file, adding, removing or renaming one changes its folder's or its own ctime,
which only root can forge (by turning the clock back), so equal fingerprints mean byte-identical
trees. Taking one costs about 2 s for 165,000 files (TensorFlow's installation included).
"""

import os
from pathlib import Path

from kata.paths import PACKAGE_ROOT
from kata.worker import sandbox


def guarded_folders(root: Path) -> list:
    """The interpreter's folders, the kata's installed code, and the grading data at `root`."""
    folders = [*sandbox.interpreter_folders(), str(PACKAGE_ROOT / "kata"), str(PACKAGE_ROOT / "kata_dev"),
               str(PACKAGE_ROOT / "input_data.py")]
    folders += [str(Path(root) / name) for name in ("tests", "solutions", "kata", "conftest.py", "pyproject.toml")]
    unique = []
    for folder in sorted(set(folders)):
        if os.path.exists(folder) and not any(folder.startswith(other + os.sep) for other in unique):
            unique.append(folder)
    return unique


def fingerprint(folders) -> dict:
    """{path: (size, mtime_ns, ctime_ns, inode)} of every file, link and folder under `folders`."""
    found = {}
    stack = list(folders)
    while stack:
        path = stack.pop()
        try:
            info = os.lstat(path)
        except OSError:
            continue
        found[path] = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        if os.path.isdir(path) and not os.path.islink(path):
            try:
                stack.extend(os.path.join(path, name) for name in os.listdir(path)
                             if name != "__pycache__")
            except OSError:
                continue
    return found


def changes(before: dict, after: dict) -> list:
    """The paths added, removed or changed between two fingerprints."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
