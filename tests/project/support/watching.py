"""`kata watch` driven as a learner drives it: started in a terminal, files saved, verdicts read."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path


class Watch:
    """A `kata watch` process on a kata copy; `save()` writes a file, `verdict()` waits for the next one."""

    def __init__(self, root: Path, *args, env=None):
        self.root = root
        self.lines = []
        self._seen = 0
        self._lock = threading.Condition()
        environment = {**os.environ, "KATA_ROOT": str(root), "KATA_LANG": "en", **(env or {})}
        environment.pop("KATA_NO_WARM", None)
        self.process = subprocess.Popen([sys.executable, "-u", "-m", "kata", "watch", *args], cwd=root,
                                        env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            with self._lock:
                self.lines.append(line.rstrip("\n"))
                self._lock.notify_all()
        with self._lock:
            self._lock.notify_all()

    def verdict(self, timeout=120.0) -> str:
        """The next check's output (the lines between its header and "Watching …")."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                marks = [i for i, line in enumerate(self.lines) if line.startswith("Watching ")]
                if len(marks) > self._seen:
                    end = marks[self._seen]
                    start = max(i for i in range(end) if self.lines[i].startswith("── "))
                    self._seen += 1
                    return "\n".join(self.lines[start + 1:end])
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    raise AssertionError("no verdict came; kata watch printed:\n" + "\n".join(self.lines))
                self._lock.wait(left)

    def save(self, name: str, text: str) -> None:
        """Save a file of exercises/ as an editor does: a new file renamed over the old one."""
        target = self.root / "exercises" / name
        temporary = target.with_suffix(".py.tmp-save")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
