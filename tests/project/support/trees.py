"""Trees of files as the grader's attacks leave them: digests of everything under a folder, folders
nested deeper than any recursion allows, and the processes an attack left behind."""

import hashlib
import os
import subprocess
from pathlib import Path

MARK = "kata-red-team-marker"           # every attack process carries it, so leftovers can be found


def tree_digest(folder: Path) -> dict:
    """{relative path: sha256} of every regular file under `folder` (what an attack could have
    changed); walked with a stack, since one submission nests 1,200 folders deep."""
    found, stack = {}, [Path(folder)]
    while stack:
        current = stack.pop()
        for entry in os.scandir(current):
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    stack.append(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                found[Path(entry.path).relative_to(folder).as_posix()] = \
                    hashlib.sha256(Path(entry.path).read_bytes()).hexdigest()
    return found


def nest(folder: Path, depth: int) -> None:
    """`folder`/d/d/…/d, `depth` levels, made without recursion."""
    fd = os.open(folder, os.O_RDONLY)
    for _ in range(depth):
        os.mkdir("d", dir_fd=fd)
        inner = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(fd)


def unnest(folder: Path) -> None:
    """Remove what nest() made, deepest first, without recursion."""
    chain = [folder]
    while (chain[-1] / "d").is_dir():
        chain.append(chain[-1] / "d")
    fds = [os.open(folder, os.O_RDONLY)]
    for _ in chain[1:]:
        fds.append(os.open("d", os.O_RDONLY, dir_fd=fds[-1]))
    for parent in reversed(fds[:-1]):
        os.rmdir("d", dir_fd=parent)
    for handle in fds:
        os.close(handle)


def leftovers() -> list:
    """The processes still running that carry MARK."""
    found = subprocess.run(["pgrep", "-af", MARK], capture_output=True, text=True).stdout.splitlines()
    return [line for line in found if "pgrep" not in line]
