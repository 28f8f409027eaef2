"""`kata watch`'s loop: a warm judge (`kata.warm`) that checks at start and again at each save.

Saves are seen at once through inotify (the `watchfiles` library, with a 50 ms pause for an editor's
write-and-rename to settle). A save during a check cancels it: the newer version is what counts.
Other terminals' `kata check` are answered by the same judge, between checks.
"""

import queue
import threading
import time
from pathlib import Path

from kata.i18n import t

DEBOUNCE_MS = 50


def changed_files(folder: Path, stop: threading.Event):
    """Each batch of saved, added or removed Python files under `folder` (sorted, relative), until `stop`."""
    import watchfiles

    def wanted(change, path: str) -> bool:
        return path.endswith(".py") and "__pycache__" not in path

    for batch in watchfiles.watch(folder, watch_filter=wanted, debounce=DEBOUNCE_MS, step=20, stop_event=stop,
                                  rust_timeout=500, yield_on_timeout=False, raise_interrupt=False):
        yield sorted({Path(path).relative_to(folder).as_posix() for _, path in batch})


def check_argv(step_id=None, lang=None) -> list:
    """The `kata check` a save triggers."""
    return ["check", *([step_id] if step_id else []), *(["--lang", lang] if lang else [])]


def loop(judge, folder: Path, argv: list, out=print, stop: threading.Event = None) -> None:
    """Check now, then after every save, until `stop` (or Ctrl-C); answer other processes between."""
    stop = stop or threading.Event()
    watcher = threading.Thread(target=_watch, args=(judge, folder, stop), daemon=True, name="kata-watch-files")
    watcher.start()
    shown = t("Ctrl-C para salir", "Ctrl-C to stop")
    try:
        _check(judge, argv, [], out)
        out(t(f"Vigilando {folder.name}/ ({shown})…", f"Watching {folder.name}/ ({shown})…"), flush=True)
        while not stop.is_set():
            try:
                item = judge.events.get(timeout=0.5)
            except queue.Empty:
                continue
            if item[0] == "ask":
                judge.answer_next(item)
                continue
            saved = set(item[1])
            while True:                      # several saves while busy: check the latest state once
                try:
                    more = judge.events.get_nowait()
                except queue.Empty:
                    break
                if more[0] == "ask":
                    judge.events.put(more)
                    break
                saved.update(more[1])
            if _check(judge, argv, sorted(saved), out):
                out(t(f"Vigilando {folder.name}/ ({shown})…", f"Watching {folder.name}/ ({shown})…"), flush=True)
    finally:
        stop.set()


def _watch(judge, folder, stop) -> None:
    for paths in changed_files(folder, stop):
        judge.events.put(("save", paths))
        judge.cancel()


def _check(judge, argv, changed, out) -> bool:
    """One check, its output shown unless a newer save cancelled it; whether it was shown."""
    began = time.strftime("%H:%M:%S")
    output, _, cancelled = judge.run(argv)
    if cancelled:
        return False
    what = ", ".join(changed) if changed else t("inicio", "start")
    out(f"\n── {began} · {what} ─────────────", flush=True)
    out(output.rstrip("\n"), flush=True)
    return True
