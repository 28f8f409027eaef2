"""`kata watch`'s file watching: snapshots of the learner's files and what changed between two."""

import time
from pathlib import Path


def snapshot(folder) -> dict:
    """{relative path: (mtime_ns, size)} of the Python files under `folder`."""
    folder = Path(folder)
    found = {}
    for path in sorted(folder.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        try:
            info = path.stat()
        except FileNotFoundError:  # removed while we looked
            continue
        found[path.relative_to(folder).as_posix()] = (info.st_mtime_ns, info.st_size)
    return found


def changed_paths(before: dict, after: dict) -> list:
    """The paths added, removed or modified between two snapshots."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def watch_files(folder, on_change, *, interval=1.0, sleep=time.sleep, take=snapshot, polls=None) -> None:
    """Call `on_change(changed)` once at the start (with []) and then after every change.

    Polls every `interval` seconds; returns after `polls` polls, or never when it is None (the
    caller stops it with Ctrl-C). A change made while `on_change` runs is seen at the next poll,
    because the snapshot compared against is the one taken before the call.
    """
    last = None
    count = 0
    while polls is None or count < polls:
        current = take(folder)
        if current != last:
            on_change([] if last is None else changed_paths(last, current))
            last = current
        count += 1
        sleep(interval)

