"""The zygote: a process that imports TensorFlow once and forks a fresh worker for every step.

Nothing of the learner's ever runs in the zygote itself, and it runs no TensorFlow op (forking a
process whose TensorFlow has started its thread pools would copy locks held by threads that do
not exist in the child). So each fork starts from the same clean state — no module, global,
monkeypatch, Keras session, random state, figure, thread or file of an earlier version of the
learner's code — in milliseconds instead of the seconds an import of TensorFlow takes.

The judge talks to it over a Unix datagram socket (`control`): JSON requests, and the new
worker's two descriptors (its channel and its output) sent back with SCM_RIGHTS.

    {"kind": "spawn", "memory_mb", "output_mb"} → {"kind": "spawned", "pid"} + [channel, output]
    {"kind": "kill", "pid"}                      → {"kind": "killed", "pid"}
    {"kind": "reap", "pid"}                      → {"kind": "reaped", "pid", "returncode"}
    {"kind": "exit"} or the socket closed        → the zygote ends, and kills the workers it forked
"""

import json
import os
import shutil
import signal
import socket
import sys
import tempfile

MAX_CONTROL = 65536


def send(sock, message: dict, fds=()) -> None:
    data = json.dumps(message).encode("utf-8")
    if fds:
        socket.send_fds(sock, [data], list(fds))
    else:
        sock.send(data)


def receive(sock):
    """(message dict, [fds]); ({}, []) when the other side is gone."""
    data, fds, _, _ = socket.recv_fds(sock, MAX_CONTROL, 4)
    if not data:
        for fd in fds:
            os.close(fd)
        return {}, []
    try:
        message = json.loads(data.decode("utf-8"))
    except ValueError:
        message = {"kind": "garbled"}
    return (message if isinstance(message, dict) else {"kind": "garbled"}), fds


def serve(control_fd: int, preload: list, attempts) -> int:
    """The zygote's loop; its exit code."""
    from kata.worker import server

    control = socket.socket(fileno=control_fd)
    send(control, {"kind": "ready"})          # before TensorFlow: a death until here is the machine's
    server.preload(preload)
    children = set()
    try:
        while True:
            message, fds = receive(control)
            for fd in fds:
                os.close(fd)
            kind = message.get("kind")
            if kind in (None, "exit"):
                return 0
            if kind == "spawn":
                pid, ends = _fork(control, message, attempts)
                children.add(pid)
                send(control, {"kind": "spawned", "pid": pid}, ends)
                for fd in ends:
                    os.close(fd)
            elif kind == "kill":
                _kill(message.get("pid"), children)
                send(control, {"kind": "killed", "pid": message.get("pid")})
            elif kind == "reap":
                pid = message.get("pid")
                send(control, {"kind": "reaped", "pid": pid, "returncode": _reap(pid, children)})
            else:
                send(control, {"kind": "error", "message": f"unknown request {str(kind)[:40]!r}"})
    finally:
        for pid in list(children):
            _reap(pid, children)


def _fork(control, request, attempts):
    """Fork one worker; returns (pid, [the judge's end of its channel, the read end of its output]).
    Each worker gets a folder of its own as HOME, TMPDIR and working folder, removed when it is
    reaped: no file of one version of the learner's code is there for the next."""
    from kata.worker import server
    from kata.worker.protocol import Channel

    home = tempfile.mkdtemp(prefix="worker-", dir=os.environ.get("TMPDIR") or "/tmp")
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    out_read, out_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 3
        try:
            os.setsid()                        # its own group: killing it kills what it started
            _make_home(home)
            control.close()
            ours.close()
            os.close(out_read)
            os.dup2(out_write, 1)
            os.dup2(out_write, 2)
            os.close(out_write)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            fd = theirs.detach()
            code = server.serve_channel(Channel(fd, fd), int(request.get("memory_mb") or 0),
                                        int(request.get("output_mb") or 0), attempts)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    theirs.close()
    os.close(out_write)
    HOMES[pid] = home
    return pid, [ours.detach(), out_read]


HOMES = {}


def _make_home(home: str) -> None:
    os.environ.update(HOME=home, TMPDIR=home, MPLCONFIGDIR=os.path.join(home, ".mpl"),
                      KERAS_HOME=os.path.join(home, ".keras"))
    tempfile.tempdir = None
    os.chdir(home)


def _kill(pid, children) -> None:
    if pid not in children:
        return
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except (ProcessLookupError, PermissionError):
            pass


def _reap(pid, children):
    """The exit code of a child that ended (negative: the signal that ended it), after killing it
    if it still runs; None for a pid that is not ours."""
    if pid not in children:
        return None
    _kill(pid, children)
    _, status = os.waitpid(pid, 0)
    children.discard(pid)
    if pid in HOMES:
        shutil.rmtree(HOMES.pop(pid), ignore_errors=True)
    return os.waitstatus_to_exitcode(status)
