"""The judge's side of worker processes: one worker (`WorkerProcess`) and where workers come from.

A `ForkHost` keeps a zygote (`kata.worker.zygote`), which imported TensorFlow once, and forks a
fresh worker from it for each step: milliseconds instead of seconds, and nothing of one version
of the learner's code reaches the next. The zygote is started here (a learner's checks, plainly;
a sandboxed session, inside bubblewrap) or handed over already running (the batch grader starts
it in its own sandbox, beside the judge's). A `SpawnHost` starts a new Python for each worker:
the cold path, where fork is not available (macOS, Windows).
"""

import collections
import os
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from kata.judging.limits import STARTUP_SECONDS, STDERR_KEEP
from kata.worker import zygote
from kata.worker.errors import (WorkerCrashed, WorkerHostLost, WorkerProtocolError, WorkerStartFailed,
                                WorkerTimeout, death)
from kata.worker.protocol import Channel, ChannelClosed, ChannelTimeout, ProtocolError


def fork_available() -> bool:
    """Whether workers can be forked from a zygote here (Linux; elsewhere fork and TensorFlow do not mix)."""
    return sys.platform == "linux" and hasattr(socket, "send_fds") and not os.environ.get("KATA_NO_FORK")


class Output:
    """The end of what a process printed at the C level (faulthandler dumps, TensorFlow's aborts),
    kept by a thread that reads it as it comes."""

    def __init__(self, stream, name):
        self._chunks = collections.deque()
        self._size = 0
        self._done = threading.Event()
        threading.Thread(target=self._drain, args=(stream,), daemon=True, name=f"{name}-output").start()

    def _drain(self, stream) -> None:
        try:
            for chunk in iter(lambda: stream.read1(65536), b""):
                self._chunks.append(chunk)
                self._size += len(chunk)
                while self._size > STDERR_KEEP and len(self._chunks) > 1:
                    self._size -= len(self._chunks.popleft())
        except (OSError, ValueError):
            pass
        finally:
            stream.close()
            self._done.set()

    def text(self, wait=0.0) -> str:
        """What was kept; `wait` seconds at most for the last of it when the process has ended."""
        if wait:
            self._done.wait(wait)
        return b"".join(self._chunks).decode("utf-8", "replace")[-STDERR_KEEP:]


class WorkerProcess:
    """One worker: its channel (a socket, both ways), its output, and `stop()` (→ its exit code)."""

    def __init__(self, fd: int, output, stop, name="worker", kill=None):
        self.channel = Channel(fd, fd)
        self.output = output
        self._stop = stop
        self._kill = kill or (lambda: None)
        self.name = name
        self.loaded = {}           # module key → name
        self.calls = 0
        self.answered = 0
        self.budget = None          # seconds the running test may take (for messages)
        self.closed = False
        self.returncode = None

    def stderr(self, wait=0.0) -> str:
        return self.output.text(wait)

    def request(self, header, blobs, deadline, call, on_callback=None, max_reply=None):
        """Send one request and wait for its answer, serving the worker's callback requests meanwhile."""
        try:
            self.channel.send(header, blobs)
            while True:
                reply, reply_blobs = self.channel.receive(deadline, max_message=max_reply)
                if reply.get("kind") == "callback" and on_callback is not None:
                    on_callback(reply, reply_blobs)
                    continue
                self.answered += 1
                return reply, reply_blobs
        except ChannelTimeout:
            stderr = self.stderr(wait=0.5)   # faulthandler's dump, requested with the call, on its way
            self.close()
            raise WorkerTimeout(call, "deadline", stderr, self.budget) from None
        except (ChannelClosed, BrokenPipeError, ConnectionResetError):
            returncode = self.close()
            raise WorkerCrashed(call, death(returncode), self.stderr(wait=1.0), returncode) from None
        except ProtocolError as err:
            self.close()
            raise WorkerProtocolError(call, str(err), self.stderr()) from None

    def kill(self) -> None:
        """Kill the worker from another thread; the thread waiting on it sees it crash."""
        if not self.closed:
            self._kill()

    def close(self):
        """Stop the worker (and everything it started) and return its exit code."""
        if not self.closed:
            self.closed = True
            try:
                os.close(self.channel.read_fd)
            except OSError:
                pass
            self.returncode = self._stop()
        return self.returncode


# --------------------------------------------------------------------------- where workers come from


class SpawnHost:
    """A new Python for each worker. `command(fd, home)` → (argv, env) of a worker serving `fd`."""

    def __init__(self, command, name="worker"):
        self.command = command
        self.name = name
        self.count = 0

    def start(self) -> None:
        """Nothing to start ahead: each worker is a new process."""

    def worker(self, memory_mb=0, output_mb=0) -> WorkerProcess:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        home = tempfile.TemporaryDirectory(prefix="kata-worker-")
        argv, env = self.command(theirs.fileno(), Path(home.name))
        try:
            process = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, pass_fds=(theirs.fileno(),), cwd=home.name,
                                       start_new_session=True)
        except BaseException:
            home.cleanup()
            raise
        finally:
            theirs.close()
        self.count += 1
        output = Output(process.stdout, f"{self.name}-{self.count}")

        def stop():
            _kill_group(process.pid)
            code = process.wait()
            home.cleanup()
            return code

        worker = WorkerProcess(ours.detach(), output, stop, f"{self.name}-{self.count}",
                               kill=lambda: _kill_group(process.pid))
        try:
            hello, _ = worker.channel.receive(time.monotonic() + STARTUP_SECONDS)
            if hello.get("kind") != "ready":
                raise ProtocolError("no greeting")
        except (ChannelClosed, ChannelTimeout, ProtocolError) as err:
            code = worker.close()
            raise WorkerStartFailed(death(code) if code is not None else type(err).__name__,
                                    output.text(wait=1.0)) from None
        return worker

    def close(self) -> None:
        """Nothing outlives its worker."""

    @property
    def alive(self) -> bool:
        return True


class ForkHost:
    """Workers forked from a zygote: `command(control_fd, home)` → (argv, env) starts one here;
    `control` is a socket to a zygote someone else started (then this host cannot start another)."""

    warm = True          # a forked worker has imported everything already: no start-up allowance

    def __init__(self, command=None, control=None, name="worker"):
        if (command is None) == (control is None):
            raise ValueError("a ForkHost needs a command to start its zygote, or the socket of a running one")
        self.command = command
        self.name = name
        self.control = control
        self.process = None
        self.output = None
        self._home = None
        self._lock = threading.Lock()     # a warm-up thread may be starting the zygote while a test asks
        self._ready = False
        self.count = 0

    @property
    def alive(self) -> bool:
        if self.control is None:
            return False
        if self.process is not None and self.process.poll() is not None:
            return False
        try:
            readable, _, _ = select.select([self.control], [], [], 0)
            if not readable:
                return True
            self.control.settimeout(0)
            return self.control.recv(1, socket.MSG_PEEK) != b""   # b"": the zygote is gone
        except BlockingIOError:
            return True
        except (OSError, ValueError):
            return False

    def start(self) -> None:
        """Start the zygote (unless it runs), and wait for its greeting."""
        with self._lock:
            self._start()

    def _start(self) -> None:
        if self._ready and self.alive:
            return
        if self.command is None:
            if not self._ready and self.control is not None:      # a zygote someone else started: its greeting
                self._ready = self._receive(time.monotonic() + STARTUP_SECONDS).get("kind") == "ready"
            if self._ready and self.alive:
                return
            raise WorkerHostLost("the zygote this judge was given has stopped", "")
        self.close()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._home = tempfile.TemporaryDirectory(prefix="kata-zygote-")
        argv, env = self.command(theirs.fileno(), Path(self._home.name))
        try:
            self.process = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                            stderr=subprocess.STDOUT, pass_fds=(theirs.fileno(),),
                                            cwd=self._home.name, start_new_session=True)
        finally:
            theirs.close()
        self.control = ours
        self.output = Output(self.process.stdout, f"{self.name}-zygote")
        hello = self._receive(time.monotonic() + STARTUP_SECONDS)
        if hello.get("kind") != "ready":
            stderr = self.output.text(wait=1.0)
            code = self.close()
            raise WorkerStartFailed(death(code) if code is not None else "no greeting", stderr)
        self._ready = True

    def _receive(self, deadline) -> dict:
        self.control.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            message, fds = zygote.receive(self.control)
        except (socket.timeout, OSError):
            return {}
        if message.get("kind") != "spawned":
            for fd in fds:
                os.close(fd)
            return message
        message["fds"] = fds
        return message

    def _ask(self, request: dict, deadline) -> dict:
        try:
            zygote.send(self.control, request)
        except OSError:
            return {}
        return self._receive(deadline)

    def worker(self, memory_mb=0, output_mb=0) -> WorkerProcess:
        """A fresh worker forked from the zygote (started first if needed)."""
        with self._lock:
            self._start()
            reply = self._ask({"kind": "spawn", "memory_mb": memory_mb, "output_mb": output_mb},
                              time.monotonic() + STARTUP_SECONDS)
            if reply.get("kind") != "spawned" or len(reply.get("fds", [])) != 2 or not isinstance(reply.get("pid"), int):
                for fd in reply.get("fds", []):
                    os.close(fd)
                stderr = self.output.text(wait=1.0) if self.output else ""
                lost = not self.alive
                self.close()
                if lost and self.command is None:
                    raise WorkerHostLost("the zygote this judge was given has stopped", stderr)
                raise WorkerStartFailed("the zygote could not fork a worker", stderr)
            channel_fd, output_fd = reply["fds"]
        pid = reply["pid"]
        self.count += 1
        output = Output(os.fdopen(output_fd, "rb"), f"{self.name}-{self.count}")
        return WorkerProcess(channel_fd, output, lambda: self._reap(pid), f"{self.name}-{self.count}",
                             kill=lambda: self._kill(pid))

    def _kill(self, pid) -> None:
        with self._lock:
            if self._ready:
                self._ask({"kind": "kill", "pid": pid}, time.monotonic() + 10)

    def _reap(self, pid):
        with self._lock:
            if not self._ready:
                return None
            reply = self._ask({"kind": "reap", "pid": pid}, time.monotonic() + 30)
            return reply.get("returncode") if reply.get("kind") == "reaped" else None

    def close(self):
        """Stop the zygote (and the workers it forked); its exit code when this host started it."""
        code = None
        if self.control is not None:
            try:
                zygote.send(self.control, {"kind": "exit"})
            except OSError:
                pass
            self.control.close()
            self.control = None
        if self.process is not None:
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            _kill_group(self.process.pid)
            code = self.process.wait()
            self.process = None
        if self._home is not None:
            self._home.cleanup()
            self._home = None
        self._ready = False
        return code


def _kill_group(pid) -> None:
    import signal

    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
