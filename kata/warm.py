"""A judge that stays warm: `kata watch` keeps TensorFlow, the tests and a zygote loaded, checks each
save at once, and answers `kata check` from other terminals through a socket of the learner's own.

A check in a warm process still gives each version of the learner's code a fresh interpreter
state: the code runs in a worker forked for that check (`kata.worker.zygote`), never in this
process. What this process keeps between checks is the judge's own (the tests, TensorFlow); Keras's
global state and pyplot's figures are reset before each check.

Protocol: one JSON line from the client — {"argv": ["check", "conv2d", …], "root", "lang"} — and
one JSON line back — {"output": "…", "code": 0}. The socket is the learner's alone (mode 0600, in
`.kata/` of the kata's folder, or in the runtime folder when that path is too long for a socket);
a client talks only to a socket its own user owns.
"""

import contextlib
import hashlib
import io
import json
import os
import queue
import socket
import stat
import tempfile
import threading
from pathlib import Path

MAX_SOCKET_PATH = 100          # AF_UNIX paths are at most 108 bytes on Linux
MAX_REQUEST = 65536
SERVING = False                # True in the warm judge itself: its own checks never ask it
KERNEL_WAIT_S = 1.0            # how long a request waits for a notebook's kernel to be free


def socket_path(root) -> Path:
    """Where the warm judge of the kata at `root` listens."""
    root = Path(root).resolve()
    near = root / ".kata" / "warm.sock"
    if len(str(near)) <= MAX_SOCKET_PATH:
        return near
    base = Path(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir())
    digest = hashlib.sha256(str(root).encode()).hexdigest()[:16]
    return base / f"kata-{os.getuid()}-{digest}.sock"


# --------------------------------------------------------------------------- the client


def ask(root, argv, lang=None, timeout=900.0):
    """Run `kata <argv>` in the warm judge of `root`, if one is alive: (output, exit code); else None."""
    if SERVING or os.environ.get("KATA_NO_WARM"):
        return None
    path = socket_path(root)
    try:
        info = path.stat()
    except OSError:
        return None
    if not stat.S_ISSOCK(info.st_mode) or info.st_uid != os.getuid():
        return None
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        client.settimeout(0.5)
        client.connect(str(path))
        client.settimeout(timeout)
        client.sendall(json.dumps({"argv": list(argv), "root": str(Path(root).resolve()), "lang": lang}).encode() + b"\n")
        reply = json.loads(_read_line(client))
    except (OSError, ValueError):
        return None
    finally:
        client.close()
    if not isinstance(reply, dict) or not isinstance(reply.get("output"), str) or not isinstance(reply.get("code"), int):
        return None
    return reply["output"], reply["code"]


def _read_line(sock) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
        if len(data) > 64 * 2**20:
            raise ValueError("a reply too large")
    return data


# --------------------------------------------------------------------------- the warm judge


class WarmJudge:
    """Runs checks in this process, one at a time, from a queue: saves seen by `kata watch` and
    requests of other processes. A newer save cancels the check of an older one."""

    def __init__(self, root, reset=True):
        self.root = Path(root).resolve()
        self.reset = reset          # a kernel's judge leaves the learner's Keras session and figures alone
        self.events = queue.Queue()
        self.checking = threading.Event()
        self._server = None

    # ------------------------------------------------------------------ running one check

    def run(self, argv, lang=None):
        """`kata <argv>` in this process: (output, exit code, cancelled)."""
        from kata import cli
        from kata.judging import plugin

        saved = os.environ.get("KATA_LANG")
        if lang:
            os.environ["KATA_LANG"] = lang
        if self.reset:
            _reset_judge_state()
        _forget_other_suites(self.root)
        plugin.CANCEL.clear()
        output = io.StringIO()
        self.checking.set()
        try:
            with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
                code = cli.main(list(argv))
        except SystemExit as stop:        # argparse's own errors, already printed
            code = stop.code if isinstance(stop.code, int) else 2
        finally:
            self.checking.clear()
            if saved is None:
                os.environ.pop("KATA_LANG", None)
            else:
                os.environ["KATA_LANG"] = saved
        return output.getvalue(), int(code or 0), plugin.CANCEL.is_set()

    def cancel(self) -> None:
        """Stop the check that is running (its result is thrown away): a newer save needs checking."""
        from kata.judging import plugin

        if self.checking.is_set():
            plugin.cancel_running()

    # ------------------------------------------------------------------ serving other processes

    def serve(self) -> bool:
        """Listen for `kata check` of other processes; False when another warm judge already does."""
        global SERVING
        path = socket_path(self.root)
        if ask(self.root, ["--version"]) is not None:
            return False
        SERVING = True
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o077)
        try:
            listener.bind(str(path))
        finally:
            os.umask(old)
        listener.listen(8)
        self._server = (listener, path)
        threading.Thread(target=self._accept, args=(listener,), daemon=True, name="kata-warm-server").start()
        return True

    def _accept(self, listener) -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True, name="kata-warm-answer").start()

    def _answer(self, conn) -> None:
        try:
            request = json.loads(_read_line(conn)[:MAX_REQUEST])
            argv = request.get("argv")
            if not (isinstance(argv, list) and all(isinstance(a, str) for a in argv)) or \
                    request.get("root") != str(self.root):
                return
            if argv == ["--version"]:
                from kata import __version__

                conn.sendall(json.dumps({"output": __version__, "code": 0}).encode() + b"\n")
                return
            if argv[:1] != ["check"]:
                return
            answered = queue.Queue()
            self.events.put(("ask", (argv, request.get("lang")), answered.put))
            answer = answered.get()
            if answer is not None:          # None: busy (a kernel running a cell); the client goes cold
                conn.sendall(json.dumps({"output": answer[0], "code": answer[1]}).encode() + b"\n")
        except (OSError, ValueError, AttributeError):
            pass
        finally:
            conn.close()

    def answer_next(self, item) -> None:
        """Run one queued request of another process and send its answer (None, a cold check for the
        client, should anything here fail)."""
        _, (argv, lang), reply = item
        try:
            while True:
                output, code, cancelled = self.run(argv, lang)
                if not cancelled:
                    reply((output, code))
                    return
        except Exception:
            reply(None)
            raise

    def close(self) -> None:
        if self._server is not None:
            listener, path = self._server
            listener.close()
            with contextlib.suppress(OSError):
                path.unlink()
            self._server = None


def serve_from_kernel(root, kernel):
    """Let a notebook's kernel, which has imported TensorFlow already, answer `kata check` from other
    terminals: each request runs on the kernel's own thread, between cells; while a cell runs, the
    request is turned down at once and `kata check` starts cold. The judge, or None when another warm
    judge (a `kata watch`) serves this kata."""
    judge = WarmJudge(root, reset=False)
    if not judge.serve():
        return None
    threading.Thread(target=_relay, args=(judge, kernel), daemon=True, name="kata-kernel-relay").start()
    return judge


def _relay(judge, kernel) -> None:
    while True:
        item = judge.events.get()
        if item[0] != "ask":
            continue
        taken, lock = threading.Event(), threading.Lock()

        def run(item=item, taken=taken, lock=lock):
            with lock:
                if taken.is_set():
                    return
                taken.set()
            judge.answer_next(item)

        kernel.io_loop.add_callback(run)
        if taken.wait(KERNEL_WAIT_S):
            continue
        with lock:
            if not taken.is_set():          # a cell is running: turned down, the client checks cold
                taken.set()
                item[2](None)


def _reset_judge_state() -> None:
    """What the judge's own tests leave between checks: Keras's session, pyplot's figures."""
    import sys

    if "keras" in sys.modules:
        sys.modules["keras"].backend.clear_session()
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def _forget_other_suites(root) -> None:
    """Drop the modules another tree's suites left in this process under the names this tree's
    suites take (a kernel, or a pytest session that collected some other copy of the kata): pytest
    imports `tests/steps/test_conv2d.py` as `test_conv2d` (and `tests/hidden/…` as `hidden.…`), and
    a module of that name from elsewhere would stop this tree's file from being collected."""
    import sys

    for path in sorted(Path(root, "tests").glob("*/test_*.py")):
        names = [path.stem]
        if (path.parent / "__init__.py").is_file():
            names = [path.parent.name, f"{path.parent.name}.{path.stem}"]
        for name in names:
            module = sys.modules.get(name)
            source = getattr(module, "__file__", None)
            if source and Path(source).resolve().parent != path.parent.resolve():
                del sys.modules[name]
