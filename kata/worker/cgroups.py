"""Memory and process limits for a whole sandbox (every process in it together), through cgroups.

A per-process address-space limit cannot stop three children that each stay under it, nor a fork
bomb; a cgroup bounds them all: `memory.max` (resident memory, its tmpfs files included) and
`pids.max`. cgroup v2 is used where this process may create groups with the memory and pids
controllers (root, or a delegated subtree such as systemd's `Delegate=yes`); else cgroup v1's
memory and pids hierarchies where writable (as root on older systems); else none, and the
sandbox keeps only its per-process limits (`available()` says why, and the grader reports it).

A process joins its group before it runs anything: `wrap(argv)` puts a small `sh` in front that
writes its own pid into the group, then execs the command (no preexec_fn in a threaded grader).
"""

import os
import secrets
import shutil
import signal
import time
from functools import lru_cache
from pathlib import Path

PREFIX = "kata-sandbox-"


def _own_path(controller: str):
    """This process's cgroup path in a v1 hierarchy (controller) or v2 ("")."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if (controller == "" and controllers == "") or controller in controllers.split(","):
            return path
    return None


def _mounts() -> dict:
    """{"v2": mount point} and {controller: mount point} for the v1 hierarchies."""
    found = {}
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) < 5 or not tail:
            continue
        point, kind = fields[4], tail[0]
        if kind == "cgroup2":
            found.setdefault("v2", point)
        elif kind == "cgroup" and len(tail) > 2:
            for option in tail[2].split(","):
                if option in ("memory", "pids"):
                    found.setdefault(option, point)
    return found


@lru_cache(maxsize=None)
def _layout():
    """("v2", parent dir) or ("v1", {"memory": dir, "pids": dir}) where groups can be made; or (None, why)."""
    mounts = _mounts()
    if "v2" in mounts:
        parent = _v2_parent(Path(mounts["v2"]))
        if parent is not None:
            return "v2", parent
    if "memory" in mounts and "pids" in mounts:
        dirs = {}
        for controller in ("memory", "pids"):
            own = _own_path(controller) or "/"
            folder = Path(mounts[controller]) / own.lstrip("/")
            if not os.access(folder, os.W_OK):
                break
            dirs[controller] = folder
        else:
            return "v1", dirs
    return None, ("no cgroup this user may create groups in, with memory and pids limits (cgroup v2 needs "
                  "root or a delegated subtree, cgroup v1 needs root)")


def _v2_parent(mount: Path):
    """A v2 folder where groups with memory and pids limits can be made: a group of our own under
    the hierarchy's root (root), or under this process's delegated group."""
    for base in (mount, mount / (_own_path("") or "/").lstrip("/")):
        try:
            controllers = (base / "cgroup.controllers").read_text().split()
        except OSError:
            continue
        if not {"memory", "pids"} <= set(controllers) or not os.access(base, os.W_OK):
            continue
        parent = base / "kata"
        try:
            parent.mkdir(exist_ok=True)
            (base / "cgroup.subtree_control").write_text("+memory +pids")
            (parent / "cgroup.subtree_control").write_text("+memory +pids")
            return parent
        except OSError:
            continue
    return None


def available():
    """(True, "cgroup v2"/"cgroup v1") or (False, why not)."""
    kind, where = _layout()
    return (True, f"cgroup {kind}") if kind else (False, where)


class Group:
    """One sandbox's group: its limits, what it used, and removal (killing what is left in it)."""

    def __init__(self, kind: str, dirs: list):
        self.kind, self.dirs = kind, dirs

    @classmethod
    def create(cls, memory_mb: int, processes: int):
        """A new group with these limits, or None where cgroups are not available."""
        kind, where = _layout()
        name = PREFIX + secrets.token_hex(6)
        try:
            if kind == "v2":
                folder = where / name
                folder.mkdir()
                if memory_mb:
                    (folder / "memory.max").write_text(str(memory_mb * 2**20))
                    if (folder / "memory.swap.max").exists():
                        (folder / "memory.swap.max").write_text("0")
                (folder / "pids.max").write_text(str(processes))
                return cls(kind, [folder])
            if kind == "v1":
                memory, pids = where["memory"] / name, where["pids"] / name
                memory.mkdir()
                pids.mkdir()
                if memory_mb:
                    (memory / "memory.limit_in_bytes").write_text(str(memory_mb * 2**20))
                    swap = memory / "memory.memsw.limit_in_bytes"
                    if swap.exists():
                        swap.write_text(str(memory_mb * 2**20))
                (pids / "pids.max").write_text(str(processes))
                return cls(kind, [memory, pids])
        except OSError:
            return None
        return None

    def wrap(self, argv: list) -> list:
        """`argv`, started so that it runs inside this group from its first instruction."""
        procs = [str(d / "cgroup.procs") for d in self.dirs]
        script = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 97; shift; n=$((n-1)); done; exec "$@"'
        return ["/bin/sh", "-c", script, "sh", str(len(procs)), *procs, *argv]

    def peak_mb(self) -> int:
        """The most memory the group held (0 where the kernel does not say)."""
        for name in ("memory.peak", "memory.max_usage_in_bytes"):
            try:
                return int((self.dirs[0] / name).read_text().split()[0]) // 2**20
            except (OSError, ValueError, IndexError):
                continue
        return 0

    def out_of_memory(self) -> bool:
        """Whether the kernel killed a process of the group for its memory limit."""
        for name in ("memory.events", "memory.oom_control"):
            try:
                for line in (self.dirs[0] / name).read_text().splitlines():
                    key, _, value = line.partition(" ")
                    if key == "oom_kill" and int(value) > 0:
                        return True
            except (OSError, ValueError):
                continue
        return False

    def remove(self) -> None:
        """Kill whatever is still in the group, then remove it."""
        for folder in self.dirs:
            for _ in range(50):
                try:
                    pids = [int(p) for p in (folder / "cgroup.procs").read_text().split()]
                except (OSError, ValueError):
                    break
                if not pids:
                    break
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
                time.sleep(0.02)
            try:
                folder.rmdir()
            except OSError:
                shutil.rmtree(folder, ignore_errors=True)
