"""Grade one submission: a judge process runs the pristine step tests, the submission's code runs
in sandboxed workers, and this module reads the judge's events — trusting none of them blindly.

The judge (`judge_process.py`) streams an event per test. A worker that loops, crashes or eats
memory costs only its test and the rest of its step: the judge stops it, reports a fault with the
test's outcome, and the next step gets a fresh worker. Should the judge itself stop or fall
silent (it runs no submission code, so this is a backstop), the test that was running is charged
to its step and a fresh judge carries on with the steps not yet graded. Every event is checked
(known test ids of the graded steps, one verdict each, bounded sizes); one that is not is dropped
and noted, never trusted and never allowed to stop the run.
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
MAX_TESTS = 5000
MAX_TEXT = 8000
FAULT_KINDS = ("timeout", "deadline", "crash", "memory", "output", "protocol", "startup")
# Python, pytest and TensorFlow load before the first test starts; that must not count against it.
STARTUP_ALLOWANCE = 90.0
# Set by the grader on Ctrl-C: every judge is stopped within a second instead of running on.
STOP = threading.Event()
TAIL_BYTES = 4000


class GraderError(RuntimeError):
    """The grader itself cannot grade (not the submission's fault): stop rather than mis-grade."""


@dataclass
class Limits:
    """Per-test and per-submission seconds, a worker's address space and output MB, and the sandbox."""

    timeout_test: float = 300.0
    timeout_submission: float = 1800.0
    memory_mb: int = 8192
    output_mb: int = 64
    sandbox: str = "bwrap"


@dataclass
class Graded:
    """What the judges reported for one submission: tests in order, faults per step, attempts."""

    tests: list = field(default_factory=list)
    faults: list = field(default_factory=list)
    attempts: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    children: int = 0
    seconds: float = 0.0
    peak_mb: dict = field(default_factory=dict)


@dataclass
class _Run:
    collected: list = field(default_factory=list)
    outcomes: dict = field(default_factory=dict)
    started: list = field(default_factory=list)
    attempts: list = field(default_factory=list)
    dropped: list = field(default_factory=list)
    done: bool = False
    ended: str = ""            # "", "timeout", "deadline", "flood"
    returncode: int = 0
    stderr: str = ""
    steps: tuple = ()
    peak_mb: dict = field(default_factory=dict)


def grade(modules: dict, step_ids: list, snapshot, limits: Limits, python=None, lang=None) -> Graded:
    """Run the tests of `step_ids` against `modules` ({filename: bytes})."""
    begin = time.monotonic()
    deadline = begin + limits.timeout_submission
    result = Graded()
    final = {}                 # nodeid -> test record
    order = []                 # nodeids in the order the tests were collected
    pending = list(step_ids)
    with tempfile.TemporaryDirectory(prefix="kata-grade-") as tmp:
        tmp = Path(tmp)
        while pending:
            if STOP.is_set():
                raise GraderError("grading was stopped (Ctrl-C)")
            result.children += 1
            run = _run_judge(tmp / f"judge{result.children}", snapshot, modules, pending, limits, deadline, python, lang)
            result.attempts.extend(a for a in run.attempts if a not in result.attempts)
            for key, value in run.peak_mb.items():
                result.peak_mb[key] = max(value, result.peak_mb.get(key, 0))
            result.notes.extend(run.dropped[:5])
            if not run.collected:
                raise GraderError(_no_collection(run))
            for test in run.collected:
                if test["nodeid"] not in order:
                    order.append(test["nodeid"])
            ran = {test["step"] for test in run.collected}
            for rec in run.outcomes.values():
                if rec.get("fault", {}).get("kind") == "startup":   # before any submission code ran
                    raise GraderError(f"the grader could not start the sandboxed process that runs the "
                                      f"submissions' code (a too small --memory, a broken install?): "
                                      f"{rec['fault']['reason']}")
            for nodeid, rec in run.outcomes.items():
                final[nodeid] = rec
                if rec.get("fault") and not any(f["step"] == rec["step"] for f in result.faults):
                    result.faults.append({"step": rec["step"], "kind": rec["fault"]["kind"],
                                          "reason": rec["fault"]["reason"], "test": rec["name"]})
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
            result.faults.append({"step": step, "kind": kind, "reason": reason, "test": culprit["name"]})
            status = "timeout" if kind in ("timeout", "deadline") else "error"
            final[culprit["nodeid"]] = _record(culprit, status, reason)
            for test in unreported:
                if test is not culprit and (test["step"] == step or kind == "deadline"):
                    final[test["nodeid"]] = _record(test, status, t(
                        f"no se ejecutó: {culprit['name']}, de este paso, {_short(kind, lang)}",
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


def self_test(root: Path, limits: Limits) -> None:
    """Before grading anyone: start one worker as the submissions' code will run (sandbox, limits)
    and import what the reference solutions import. Raises GraderError when it cannot: a too small
    --memory, a missing package or a sandbox that cannot start must never cost a student points."""
    import ast

    from kata.paths import PACKAGE_ROOT
    from kata.worker import client, sandbox

    modules = set()
    for path in sorted((Path(root) / "solutions").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules.add(node.module.split(".")[0])
    local = {p.stem for p in (Path(root) / "solutions").glob("*.py")} | {"input_data"}
    probe = "".join(f"import {name}\n" for name in sorted(modules - local))
    probe += "\n\ndef check(values):\n    import numpy\n    return numpy.asarray(values, dtype=numpy.float32) * 2\n"
    isolation = sandbox.Isolation(limits.sandbox, limits.memory_mb, limits.output_mb)
    with tempfile.TemporaryDirectory(prefix="kata-selftest-") as tmp:
        impl, refs = Path(tmp) / "impl", Path(tmp) / "refs"
        impl.mkdir()
        refs.mkdir()
        (impl / "probe.py").write_text(probe, encoding="utf-8")

        def start(key, fds, home):
            if limits.sandbox == "bwrap":
                return sandbox.sandbox_command(PACKAGE_ROOT / "kata", PACKAGE_ROOT / "input_data.py", impl, refs,
                                               isolation, fds)
            return sandbox.plain_command(PACKAGE_ROOT, home, [impl], isolation, fds)

        workers = client.Workers(start, sandboxed=limits.sandbox == "bwrap")
        inside = sandbox.INSIDE / "impl" / "probe.py" if limits.sandbox == "bwrap" else impl / "probe.py"
        needed = sorted(modules - local)
        what = f"importing {', '.join(needed)} and a first call" if needed else "a first call"
        try:
            workers.set_test("self-test", STARTUP_ALLOWANCE)
            module = workers.module("probe", "probe", inside, [], "probe.py")
            module.check(list(range(1000)))
        except (client.WorkerStartFailed, client.WorkerFault, client.LearnerError) as err:
            raise GraderError(f"the grader cannot run the submissions' code on this machine with these limits "
                              f"(--memory {limits.memory_mb} MB; TensorFlow alone needs about 3 GB of address "
                              f"space): {what} in the sandbox failed: {type(err).__name__}: {err}") from None
        finally:
            workers.close()


def _complete(run, step) -> bool:
    return all(t["nodeid"] in run.outcomes for t in run.collected if t["step"] == step)


def _culprit(run, unreported) -> dict:
    """The test that was running when the judge stopped (else the first one not reported)."""
    if run.started and run.started[-1] not in run.outcomes:
        return next(t for t in run.collected if t["nodeid"] == run.started[-1])
    return unreported[0]


def _short(kind, lang=None) -> str:
    es = {"timeout": "se quedó sin tiempo", "deadline": "se quedó sin tiempo"}.get(kind, "detuvo la corrección")
    en = {"timeout": "ran out of time", "deadline": "ran out of time"}.get(kind, "stopped the grading")
    return t(es, en, lang)


def _fault(run, culprit, limits, lang=None) -> tuple:
    """(kind, a sentence for the feedback) for a judge that stopped before reporting `culprit`."""
    name = culprit["name"]
    if run.ended == "deadline":
        return "deadline", t(f"la entrega completa tardó más de {limits.timeout_submission:g} s; la corrección "
                             f"se detuvo durante {name}",
                             f"the whole submission ran longer than {limits.timeout_submission:g} s; "
                             f"grading stopped during {name}", lang)
    if run.ended == "timeout":
        return "timeout", t(f"{name} tardó más de {limits.timeout_test:g} s y se detuvo",
                            f"{name} ran longer than {limits.timeout_test:g} s and was stopped", lang)
    if run.ended == "flood":
        return "protocol", t(f"{name} inundó el canal de resultados del corrector; se detuvo la corrección de su paso",
                             f"{name} flooded the grader's result channel; grading of its step stopped", lang)
    return "crash", t(f"la corrección de {name} se detuvo de forma inesperada (código {run.returncode}); este paso "
                      f"no se pudo corregir",
                      f"grading {name} stopped unexpectedly (exit code {run.returncode}); this step could not be "
                      f"graded", lang)


def _record(test: dict, status: str, message: str) -> dict:
    return {"nodeid": test["nodeid"], "step": test["step"], "name": test["name"], "status": status,
            "message": message, "seconds": 0.0, "output": ""}


def _no_collection(run) -> str:
    return ("the grading judge stopped before collecting any test (this is a problem of the grader, not "
            f"of the submission: a broken install, a missing sandbox?). Exit code {run.returncode}; "
            f"its last output:\n{run.stderr[-TAIL_BYTES:]}")


def _run_judge(tmp: Path, snapshot, modules, steps, limits, deadline, python, lang) -> _Run:
    """One judge process over `steps`; returns what it reported and how it ended."""
    root = snapshot.write(tmp / "root")
    impl = tmp / "impl"
    work = tmp / "work"
    for folder in (impl, work):
        folder.mkdir(parents=True, exist_ok=True)
    for name, data in modules.items():
        if name == Path(name).name and name.endswith(".py"):
            (impl / name).write_bytes(data)
    token = secrets.token_hex(16)
    read_fd, write_fd = os.pipe()
    life_read, life_write = os.pipe()   # the judge ends itself when this end closes (the grader died)
    cmd = [python or sys.executable, "-I", "-c",
           "import sys; sys.path.insert(0, sys.argv[1]); from kata_dev.grader.judge_process import main; "
           "main(sys.argv[1:])",
           str(root), str(impl), "--fd", str(write_fd), "--lifeline", str(life_read), "--steps", *steps,
           "--sandbox", limits.sandbox, "--memory-mb", str(limits.memory_mb), "--output-mb", str(limits.output_mb),
           "--timeout-test", str(limits.timeout_test)]
    run = _Run(steps=tuple(steps))
    with open(tmp / "stderr.log", "wb") as err:
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=err, stderr=err, cwd=work,
                                    env=_judge_env(work, lang), pass_fds=(write_fd, life_read), start_new_session=True)
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
    """Read events until the judge ends; stop it at the submission's deadline or when it is silent
    longer than a test may take (the judge enforces the per-test limit on its workers itself)."""
    prefix = token.encode() + b" "
    buffer = b""
    received = 0
    silence = limits.timeout_test + STARTUP_ALLOWANCE
    test_deadline = time.monotonic() + silence
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
                    if line.startswith(prefix) and handle(line[len(prefix):], run):
                        test_deadline = time.monotonic() + silence
        else:
            try:
                proc.wait(timeout=min(wait, 1.0))
            except subprocess.TimeoutExpired:
                pass
        if proc.poll() is not None and not open_pipe:
            break
        if proc.poll() is not None and open_pipe:
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
                    handle(line[len(prefix):], run)
            break
    selector.close()


def _text(value, limit=MAX_TEXT) -> str:
    text = value if isinstance(value, str) else ""
    return text if len(text) <= limit else text[:limit] + "…"


def handle(payload: bytes, run: _Run) -> bool:
    """Apply one event after checking it; True when it restarts the silence clock. A malformed or
    unexpected event is dropped (and noted), never trusted."""
    import json

    try:
        event = json.loads(payload)
        kind = event["event"]
    except (ValueError, KeyError, TypeError):
        run.dropped.append("a line on the judge's channel that is not an event")
        return False
    try:
        if kind == "collected":
            return _collected(event, run)
        if kind == "start":
            if event.get("nodeid") in {t["nodeid"] for t in run.collected}:
                run.started.append(event["nodeid"])
                return True
            raise ValueError("a start of an unknown test")
        if kind == "outcome":
            return _outcome(event, run)
        if kind == "attempts":
            run.attempts.extend(_text(a, 300) for a in event.get("items", [])[:100] if isinstance(a, str))
            return False
        if kind == "resources":
            run.peak_mb = {k: int(event[k]) for k in ("judge_peak_mb", "worker_peak_mb")
                           if isinstance(event.get(k), int) and 0 <= event[k] < 10**7}
            return False
        if kind == "done":
            run.done = True
            return False
        raise ValueError(f"an event of unknown kind {str(kind)[:40]!r}")
    except (ValueError, TypeError, KeyError, AttributeError) as err:
        run.dropped.append(f"an event was dropped: {str(err)[:200]}")
        return False


def _collected(event, run) -> bool:
    if run.collected:
        raise ValueError("a second list of collected tests")
    tests = event.get("tests")
    if not isinstance(tests, list) or len(tests) > MAX_TESTS:
        raise ValueError("a malformed list of collected tests")
    found, seen = [], set()
    for test in tests:
        if not (isinstance(test, dict) and isinstance(test.get("nodeid"), str) and test.get("step") in run.steps
                and isinstance(test.get("name"), str)) or test["nodeid"] in seen:
            raise ValueError("a collected test that is not one of the graded steps")
        seen.add(test["nodeid"])
        found.append({"nodeid": _text(test["nodeid"], 500), "step": test["step"], "name": _text(test["name"], 300)})
    run.collected = found
    return True


def _outcome(event, run) -> bool:
    known = {t["nodeid"]: t for t in run.collected}
    nodeid = event.get("nodeid")
    if nodeid not in known:
        raise ValueError("an outcome of an unknown test")
    if nodeid in run.outcomes:
        raise ValueError("a second verdict for one test")
    status = event.get("status")
    if status not in STATUSES:
        raise ValueError(f"an outcome with the status {str(status)[:20]!r}")
    seconds = event.get("seconds")
    record = {**known[nodeid], "status": status, "message": _text(event.get("message")),
              "output": _text(event.get("output"), 4000),
              "seconds": float(seconds) if isinstance(seconds, (int, float)) and seconds >= 0 else 0.0}
    fault = event.get("fault")
    if isinstance(fault, dict) and fault.get("kind") in FAULT_KINDS:
        record["fault"] = {"kind": fault["kind"], "reason": _text(fault.get("reason"), 2000)}
    run.outcomes[nodeid] = record
    return True


def _kill_group(proc) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _read_tail(path: Path) -> str:
    with open(path, "rb") as handle_:
        size = handle_.seek(0, os.SEEK_END)
        handle_.seek(max(0, size - TAIL_BYTES))
        return handle_.read().decode("utf-8", "replace")


def _judge_env(work: Path, lang=None) -> dict:
    """A small, predictable environment: CPU only, quiet TensorFlow, HOME and TMPDIR in the work dir."""
    keep = ("PATH", "LANG", "LC_ALL", "LC_MESSAGES", "KATA_LANG", "FASHION_MNIST_DIR", "SYSTEMROOT")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(HOME=str(work), TMPDIR=str(work), MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="2",
               CUDA_VISIBLE_DEVICES="", PYTHONDONTWRITEBYTECODE="1", MPLCONFIGDIR=str(work))
    if lang:
        env["KATA_LANG"] = lang
    return env
