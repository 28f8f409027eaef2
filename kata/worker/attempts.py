"""What the learner's code tried that it should not need: an audit hook that records (never stops)
opening files outside its view, sockets, processes, signals and the like, while that code runs.

A record for the instructor, not a guard: the sandbox is what stops them, and the learner's code
can silence its own entries.
"""

from kata.judging.limits import ATTEMPTS_PER_REPLY


class Attempts:
    """The audit hook; `active` only while the learner's code runs, `take()` empties the record."""

    WATCHED = {"socket.connect", "socket.bind", "subprocess.Popen", "os.system", "os.fork", "os.forkpty",
               "os.exec", "os.posix_spawn", "os.spawn", "os.kill", "os.killpg", "ctypes.dlopen", "os.remove",
               "os.rename", "os.rmdir", "shutil.rmtree", "os.chmod", "os.symlink", "os.link", "sys.addaudithook"}
    WRITES = ("os.remove", "os.rename", "os.rmdir", "os.chmod", "shutil.rmtree")

    def __init__(self, allowed_reads, allowed_writes):
        self.active = False
        self.seen = []
        self.allowed_reads = tuple(str(p) for p in allowed_reads)
        self.allowed_writes = tuple(str(p) for p in allowed_writes)

    def __call__(self, event, args):
        if not self.active or len(self.seen) >= ATTEMPTS_PER_REPLY:
            return
        if event == "open":
            path, mode = str(args[0]) if args else "", args[1] if len(args) > 1 else "r"
            if not path.startswith("/"):
                return
            writing = isinstance(mode, str) and any(c in mode for c in "wax+")
            if (writing and not path.startswith(self.allowed_writes)) or not path.startswith(self.allowed_reads):
                self._note(f"open({path!r}, {mode!r})")
        elif event in self.WATCHED or event.split(".")[0] == "socket" and event != "socket.__new__":
            if event in self.WRITES and args and str(args[0]).startswith(self.allowed_writes):
                return
            if self._harmless(event, args):
                return
            self._note(f"{event}{tuple(str(a)[:120] for a in args[:2])}")

    @staticmethod
    def _harmless(event, args) -> bool:
        """What the libraries do on their own: a loopback socket probe (IPv6 support), `uname -p`
        (platform.processor())."""
        if event.startswith("socket.") and len(args) > 1 and isinstance(args[1], tuple) and args[1] and \
                str(args[1][0]) in ("::1", "127.0.0.1", "localhost", "", "::", "0.0.0.0"):
            return True
        return event == "subprocess.Popen" and len(args) > 1 and list(args[1])[:1] == ["uname"]

    def _note(self, text):
        if text not in self.seen:
            self.seen.append(text)

    def take(self) -> list:
        seen, self.seen = self.seen, []
        return seen

    def recording(self):
        """`with attempts.recording():` around the learner's code."""
        return _Recording(self)


class _Recording:
    def __init__(self, attempts):
        self.attempts = attempts

    def __enter__(self):
        self.was, self.attempts.active = self.attempts.active, True

    def __exit__(self, *exc):
        self.attempts.active = self.was
