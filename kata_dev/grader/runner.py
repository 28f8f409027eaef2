"""Grade one submission in child processes, whatever the submission does.

One child runs every pending step (TensorFlow is imported once). The child streams an event per
test; when it dies, loops or ends early, the parent knows which test was running. That test's
step is charged with the fault (its remaining tests are not run) and a fresh child carries on
with the steps not yet graded, so a fault costs only the step that caused it. A crash in a step
that was not the first one its child ran is confirmed first: that step is rerun first in a fresh
child, since code from an earlier step (a timer, a thread) could have caused it.
"""

import os
import secrets
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from kata.i18n import t
from kata.suite import STATUSES

MAX_CHANNEL_BYTES = 64 * 1024 * 1024
# Python, pytest and TensorFlow load before the first test starts; that must not count against it.
STARTUP_ALLOWANCE = 60.0
# Set by the grader on Ctrl-C: every child is stopped within a second instead of running on.
STOP = threading.Event()
TAIL_BYTES = 4000


class GraderError(RuntimeError):
    """The grader itself cannot grade (not the submission's fault): stop rather than mis-grade."""


@dataclass
class Limits:
    """Per-test and per-submission wall-clock seconds, address space and file-size MB of a child."""

    timeout_test: float = 300.0
    timeout_submission: float = 1800.0
    memory_mb: int = 8192
    output_mb: int = 64


@dataclass
class Graded:
    """What the children reported for one submission: tests in order, faults per step, logs."""

    tests: list = field(default_factory=list)
    faults: list = field(default_factory=list)
    children: int = 0
    seconds: float = 0.0


@dataclass
class _Run:
    collected: list = field(default_factory=list)
    outcomes: dict = field(default_factory=dict)
    started: list = field(default_factory=list)
    collect_errors: list = field(default_factory=list)
    done: bool = False
    ended: str = ""            # "", "timeout", "deadline", "flood"
    returncode: int = 0
    stderr: str = ""


def grade(modules: dict, step_ids: list, snapshot, limits: Limits, python=None, lang=None) -> Graded:
    """Run the tests of `step_ids` against `modules` ({filename: bytes}) in isolated children."""
    begin = time.monotonic()
    deadline = begin + limits.timeout_submission
    result = Graded()
    final = {}                 # nodeid -> test record
    order = []                 # nodeids in the order the tests were collected
    pending = list(step_ids)
    suspected = set()
    with tempfile.TemporaryDirectory(prefix="kata-grade-") as tmp:
        tmp = Path(tmp)
        while pending:
            if STOP.is_set():
                raise GraderError("grading was stopped (Ctrl-C)")
            result.children += 1
            run = _run_child(tmp / f"child{result.children}", snapshot, modules, pending, limits, deadline, python, lang)
            if not run.collected:
                raise GraderError(_no_collection(run))
            for test in run.collected:
                if test["nodeid"] not in order:
                    order.append(test["nodeid"])
            ran = {test["step"] for test in run.collected}
            for nodeid, rec in run.outcomes.items():
                final[nodeid] = rec
            unreported = [test for test in run.collected if test["nodeid"] not in run.outcomes]
            if not unreported:
                pending = [s for s in pending if s not in ran]
                if pending:  # a step without tests: nothing more to run
                    raise GraderError(f"no tests were collected for the step(s) {', '.join(pending)}: "
                                      f"is tests/steps/test_<step>.py missing?")
                break
            culprit = _culprit(run, unreported)
            step = culprit["step"]
            kind, reason = _fault(run, culprit, limits, lang)
            first_step = run.started and _step_of(run, run.started[0])
            if kind == "crash" and step != first_step and step not in suspected:
                suspected.add(step)
                for test in run.collected:
                    if test["step"] == step:
                        final.pop(test["nodeid"], None)
                done_steps = {s for s in pending if s != step and _complete(run, s)}
                pending = [step] + [s for s in pending if s != step and s not in done_steps]
                continue
            result.faults.append({"step": step, "kind": kind, "reason": reason, "test": culprit["name"]})
            final[culprit["nodeid"]] = _record(culprit, "timeout" if kind in ("timeout", "deadline") else "error",
                                               reason)
            for test in unreported:
                if test is culprit:
                    continue
                if test["step"] == step or kind == "deadline":
                    final[test["nodeid"]] = _record(test, "timeout" if kind in ("timeout", "deadline") else "error",
                                                 t(f"no se ejecutó: {culprit['name']}, de este paso, {_short(kind, lang)}",
                                                   f"not run: {culprit['name']} of this step {_short(kind, 'en')}", lang))
            if kind == "deadline":
                for s in pending:
                    if s not in ran:
                        result.faults.append({"step": s, "kind": kind, "reason": reason, "test": ""})
                break
            pending = [s for s in pending if s != step and not _complete(run, s)]
    result.tests = [final[n] for n in order if n in final]
    result.seconds = round(time.monotonic() - begin, 2)
    return result


def _step_of(run, nodeid):
    return next((t["step"] for t in run.collected if t["nodeid"] == nodeid), None)


def _complete(run, step) -> bool:
    return all(t["nodeid"] in run.outcomes for t in run.collected if t["step"] == step)


def _culprit(run, unreported) -> dict:
    """The test that was running when the child stopped (else the first one not reported)."""
    if run.started and run.started[-1] not in run.outcomes:
        return next(t for t in run.collected if t["nodeid"] == run.started[-1])
    return unreported[0]


def _short(kind, lang=None) -> str:
    es = {"timeout": "se quedó sin tiempo", "deadline": "se quedó sin tiempo",
          "memory": "se quedó sin memoria"}.get(kind, "hizo caer el proceso de corrección")
    en = {"timeout": "ran out of time", "deadline": "ran out of time",
          "memory": "ran out of memory"}.get(kind, "crashed the grading process")
    return t(es, en, lang)


def _fault(run, culprit, limits, lang=None) -> tuple:
    """(kind, a sentence for the feedback, in the feedback's language) for a child that stopped
    before reporting `culprit`."""
    where = _stuck_at(run.stderr)
    name = culprit["name"]
    if run.ended == "timeout":
        return "timeout", t(f"{name} tardó más de {limits.timeout_test:g} s y se detuvo{where}: "
                            f"busca un bucle que no termina",
                            f"{name} ran longer than {limits.timeout_test:g} s and was stopped{where}: "
                            f"look for a loop that never ends", lang)
    if run.ended == "deadline":
        return "deadline", t(f"la entrega completa tardó más de {limits.timeout_submission:g} s; la corrección "
                             f"se detuvo durante {name}{where}",
                             f"the whole submission ran longer than {limits.timeout_submission:g} s; "
                             f"grading stopped during {name}{where}", lang)
    if run.ended == "flood":
        return "crash", t(f"{name} inundó el canal de resultados del corrector; se detuvo la corrección de su paso",
                          f"{name} flooded the grader's result channel; grading of its step stopped", lang)
    code = run.returncode
    if code < 0:
        sig = -code
        if sig == signal.SIGXFSZ:
            return "output", t(f"{name} escribió más de {limits.output_mb} MB (prints o ficheros) y se detuvo",
                               f"{name} wrote more than {limits.output_mb} MB (printing or writing files) "
                               f"and was stopped", lang)
        if sig == signal.SIGKILL:
            return "memory", t(f"{name}: el sistema mató el proceso de corrección, casi seguro por usar "
                               f"demasiada memoria",
                               f"{name}: the grading process was killed by the system, most likely for "
                               f"using too much memory", lang)
        sig_name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        return "crash", t(f"{name} hizo caer el proceso de Python ({sig_name}){where}",
                          f"{name} crashed the Python process ({sig_name}){where}", lang)
    if run.done:
        return "crash", t(f"{name} terminó la sesión de tests antes de tiempo (pytest.exit, KeyboardInterrupt "
                          f"o una ejecución rota)",
                          f"{name} stopped the test session early (pytest.exit, KeyboardInterrupt or a "
                          f"broken test run)", lang)
    return "crash", t(f"el proceso terminó con el código {code} durante {name} "
                      f"(os._exit, sys.exit fuera de una función o un error fatal)",
                      f"the process ended with exit code {code} during {name} "
                      f"(os._exit, sys.exit outside a function, or a fatal error)", lang)


def _stuck_at(stderr: str) -> str:
    """' (at conv2d.py, line 12)' from a faulthandler dump that mentions a submitted module."""
    marker = f"{os.sep}impl{os.sep}"
    for line in reversed(stderr.splitlines()):
        if marker in line and "line" in line:
            path = line.split('"')[1] if '"' in line else ""
            lineno = line.split("line")[-1].split()[0] if "line" in line else "?"
            return f" (at {Path(path).name}, line {lineno})"
    return ""


def _record(test: dict, status: str, message: str) -> dict:
    return {"nodeid": test["nodeid"], "step": test["step"], "name": test["name"], "status": status,
            "message": message, "seconds": 0.0, "output": ""}


def _no_collection(run) -> str:
    return ("the grading child stopped before collecting any test (this is a problem of the grader, not "
            f"of the submission: a too small --memory, a broken install?). Exit code {run.returncode}; "
            f"its last output:\n{_tail(run.stderr)}{''.join(e['message'] for e in run.collect_errors)}")


def _tail(text: str) -> str:
    return text[-TAIL_BYTES:]


def _run_child(tmp: Path, snapshot, modules, steps, limits, deadline, python, lang) -> _Run:
    """One child process over `steps`; returns what it reported and how it ended."""
    root = snapshot.write(tmp / "root")
    impl = tmp / "impl"
    work = tmp / "work"
    for folder in (impl, work, work / "tmp"):
        folder.mkdir(parents=True, exist_ok=True)
    for name, data in modules.items():
        (impl / name).write_bytes(data)
    token = secrets.token_hex(16)
    read_fd, write_fd = os.pipe()
    life_read, life_write = os.pipe()   # the child ends itself when this end closes (the grader died)
    cmd = [python or sys.executable, "-I", "-c",
           "import sys; sys.path.insert(0, sys.argv[1]); from kata_dev.grader.child import main; main(sys.argv[1:])",
           str(root), str(impl), "--fd", str(write_fd), "--lifeline", str(life_read), "--steps", *steps,
           "--memory-mb", str(limits.memory_mb), "--output-mb", str(limits.output_mb),
           "--timeout-test", str(limits.timeout_test)]
    run = _Run()
    with open(tmp / "stdout.log", "wb") as out, open(tmp / "stderr.log", "wb") as err:
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=out, stderr=err, cwd=work,
                                    env=_child_env(work, lang), pass_fds=(write_fd, life_read), start_new_session=True)
        except BaseException:
            os.close(life_write)
            raise
        finally:
            os.close(write_fd)
            os.close(life_read)
        try:
            proc.stdin.write(token.encode() + b"\n")
            proc.stdin.close()
        except BrokenPipeError:
            pass
        try:
            _follow(proc, read_fd, token, run, limits, deadline)
        finally:
            os.close(read_fd)
            os.close(life_write)
            _kill_group(proc)
    run.returncode = proc.returncode
    run.stderr = _read_tail(tmp / "stderr.log")
    return run


def _follow(proc, fd, token, run, limits, deadline) -> None:
    """Read events until the child ends, killing it at the per-test or per-submission limit."""
    prefix = token.encode() + b" "
    buffer = b""
    received = 0
    test_deadline = time.monotonic() + max(limits.timeout_test, STARTUP_ALLOWANCE)
    selector = selectors.DefaultSelector()
    selector.register(fd, selectors.EVENT_READ)
    open_pipe = True
    while True:
        now = time.monotonic()
        if STOP.is_set():
            _kill_group(proc)
            proc.wait()
            break
        if now >= deadline or now >= test_deadline:
            run.ended = "deadline" if now >= deadline else "timeout"
            _kill_group(proc)
            proc.wait()
            break
        wait = min(deadline, test_deadline) - now
        if open_pipe:
            for _ in selector.select(timeout=min(wait, 1.0)):
                chunk = os.read(fd, 65536)
                if not chunk:
                    open_pipe = False
                    selector.unregister(fd)
                    break
                received += len(chunk)
                if received > MAX_CHANNEL_BYTES:
                    run.ended = "flood"
                    _kill_group(proc)
                    proc.wait()
                    return
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    if line.startswith(prefix) and _handle(line[len(prefix):], run):
                        test_deadline = time.monotonic() + limits.timeout_test
        else:
            try:
                proc.wait(timeout=min(wait, 1.0))
            except subprocess.TimeoutExpired:
                pass
        if proc.poll() is not None and not open_pipe:
            break
        if proc.poll() is not None and open_pipe:
            # The child is gone; drain what it wrote (a grandchild may hold the pipe open: do not wait).
            os.set_blocking(fd, False)
            try:
                while chunk := os.read(fd, 65536):
                    buffer += chunk
                    if len(buffer) > MAX_CHANNEL_BYTES:
                        break
            except BlockingIOError:
                pass
            for line in buffer.split(b"\n"):
                if line.startswith(prefix):
                    _handle(line[len(prefix):], run)
            break
    selector.close()


def _handle(payload: bytes, run: _Run) -> bool:
    """Apply one event; True when it restarts the per-test clock."""
    import json

    try:
        event = json.loads(payload)
        kind = event["event"]
    except (ValueError, KeyError, TypeError):
        return False
    if kind == "collected":
        run.collected = [t for t in event["tests"] if isinstance(t, dict)]
    elif kind == "start":
        run.started.append(event["nodeid"])
    elif kind == "outcome":
        rec = {k: event.get(k, "") for k in ("nodeid", "step", "name", "message", "output")}
        rec["status"] = event.get("status") if event.get("status") in STATUSES else "error"
        rec["seconds"] = event.get("seconds", 0.0)
        run.outcomes[rec["nodeid"]] = rec
    elif kind == "collect_error":
        run.collect_errors.append(event)
    elif kind == "done":
        run.done = True
    return kind in ("start", "outcome", "collected")


def _kill_group(proc) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _read_tail(path: Path) -> str:
    with open(path, "rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, size - TAIL_BYTES))
        return handle.read().decode("utf-8", "replace")


def _child_env(work: Path, lang=None) -> dict:
    """A small, predictable environment: CPU only, quiet TensorFlow, HOME and TMPDIR in the work dir."""
    keep = ("PATH", "LANG", "LC_ALL", "LC_MESSAGES", "KATA_LANG", "FASHION_MNIST_DIR", "SYSTEMROOT")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(HOME=str(work), TMPDIR=str(work / "tmp"), MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="2",
               CUDA_VISIBLE_DEVICES="", PYTHONDONTWRITEBYTECODE="1", MPLCONFIGDIR=str(work / "tmp"))
    if lang:
        env["KATA_LANG"] = lang
    return env
