"""Writing files so that a crash or Ctrl-C never leaves half of one behind."""

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path):
    """Yield a temporary path next to `path`; rename it onto `path` when the block succeeds.

    The temporary file gets the permissions of an ordinary new file (mkstemp's are private),
    and is removed if the block fails.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=f".tmp{path.suffix}")
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_atomic(path, text: str) -> None:
    """Write `text` (UTF-8, LF line ends) to `path` through a temporary file and a rename."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")


def backup(path: Path, stamp: str) -> Path:
    """Copy `path` to `<name>.bak-<stamp>` (or `-2`, `-3`… if taken); never overwrites a file."""
    path = Path(path)
    data = path.read_bytes()
    for n in range(1, 1000):
        target = path.with_name(f"{path.name}.bak-{stamp}" + ("" if n == 1 else f"-{n}"))
        try:
            with open(target, "xb") as handle:   # "x": fails rather than replace an existing backup
                handle.write(data)
            return target
        except FileExistsError:
            continue
    raise FileExistsError(f"{path}: too many backups named {path.name}.bak-{stamp}*; remove some")
