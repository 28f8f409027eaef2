"""Grade one submission: a judge runs the pristine step tests in a sandbox of its own, the
submission's code runs in workers forked from a zygote in another sandbox, and this module reads
the judge's events — trusting none of them blindly.

Per submission (and per restart) this module starts two sandboxes side by side: the zygote's,
which sees the submission's modules and imports TensorFlow once, and the judge's, which sees the
grading tests and the reference solutions, and reaches the zygote only through the control socket
it is handed (`--worker-fd`). Neither can write anything outside its private /tmp; each has its
own memory and process limits (`kata.worker.cgroups`). The judge streams an event per test. A
worker that loops, crashes or eats memory costs only its test and the rest of its step. Should
the judge itself stop or fall silent (it runs no submission code, so this is a backstop), the
test that was running is charged to its step and a fresh pair carries on with the steps not yet
graded; should the zygote be lost (a worker killed it), the judge asks for a fresh pair without
charging the step that had not started. Every event is checked (known test ids of the graded
steps, one verdict each, bounded sizes); one that is not is dropped and noted, never trusted and
never allowed to stop the run.
"""

import os
import secrets
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from kata.i18n import t
from kata.judging.limits import (GRADING, JUDGE_MEMORY_MB, JUDGE_STARTUP_SECONDS, SANDBOX_PROCESSES, STARTUP_SECONDS,
                                 Limits)
from kata.judging.outcome import Outcome
from kata.worker import cgroups, sandbox

MAX_CHANNEL_BYTES = 64 * 1024 * 1024
MAX_TESTS = 5000
MAX_TEXT = 8000
# Set by the grader on Ctrl-C: every judge is stopped within a second instead of running on.
STOP = threading.Event()
TAIL_BYTES = 4000
MAX_RESTARTS = 3           # zygotes lost in a row, with no test graded in between, before the step is charged


class GraderError(RuntimeError):
    """The grader itself cannot grade (not the submission's fault): stop rather than mis-grade."""


@dataclass
class Graded:
    """What the judges reported for one submission: tests in order (Outcomes), faults per step, attempts."""

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
    outcomes: dict = field(default_factory=dict)      # nodeid → Outcome
    started: list = field(default_factory=list)
    attempts: list = field(default_factory=list)
    dropped: list = field(default_factory=list)
    done: bool = False
    restart: bool = False
    ended: str = ""            # "", "timeout", "deadline", "flood"
    returncode: int = 0
    stderr: str = ""
    steps: tuple = ()
    peak_mb: dict = field(default_factory=dict)
    out_of_memory: dict = field(default_factory=dict)   # "judge"/"workers" → whether the kernel killed for memory


def grade(modules: dict, step_ids: list, root: Path, limits: Limits = GRADING, python=None, lang=None) -> Graded:
    """Run the tests of `step_ids` against `modules` ({filename: bytes}); `root` is the grader's
    snapshot on disk (read-only to the judge)."""
    begin = time.monotonic()
    deadline = begin + limits.submission_seconds
    result = Graded()
    final = {}                 # nodeid -> Outcome
    order = []                 # nodeids in the order the tests were collected
    pending = list(step_ids)
    restarts = 0
    with tempfile.TemporaryDirectory(prefix="kata-grade-") as tmp:
        tmp = Path(tmp)
        impl = tmp / "impl"
        impl.mkdir()
        for name, data in modules.items():
            if name == Path(name).name and name.endswith(".py"):
                (impl / name).write_bytes(data)
        _readable_by_all(tmp)
        while pending:
            if STOP.is_set():
                raise GraderError("grading was stopped (Ctrl-C)")
            result.children += 1
            run = _run_pair(tmp / f"run{result.children}", root, impl, pending, limits, deadline, python, lang)
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
                if rec.fault and rec.fault.get("kind") == "startup":   # before any submission code ran
                    raise GraderError(f"the grader could not start the sandboxed process that runs the "
                                      f"submissions' code (a too small --memory, a broken install?): "
                                      f"{rec.fault['reason']}")
            for nodeid, rec in run.outcomes.items():
                final[nodeid] = rec
                if rec.fault and not any(f["step"] == rec.step for f in result.faults):
                    result.faults.append({"step": rec.step, "kind": rec.fault["kind"],
                                          "reason": rec.fault["reason"], "test": rec.name})
            unreported = [test for test in run.collected if test["nodeid"] not in run.outcomes]
            if not unreported:
                pending = [s for s in pending if s not in ran]
                if pending:  # a step without tests: nothing more to run
                    raise GraderError(f"no tests were collected for the step(s) {', '.join(pending)}: "
                                      f"is tests/steps/test_<step>.py missing?")
                break
            restarts = restarts + 1 if run.restart and not run.outcomes else 0
            if run.restart and run.ended == "" and restarts <= MAX_RESTARTS:
                pending = [s for s in pending if not _complete(run, s)]
                continue
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


def _readable_by_all(folder: Path) -> None:
    """The sandboxes may run as `nobody` (a grader run as root): let them read what is theirs to read."""
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)


def self_test(root: Path, limits: Limits) -> None:
    """Before grading anyone: start one zygote as the submissions' code will run (sandbox, limits),
    fork a worker from it and import what the reference solutions import. Raises GraderError when it
    cannot: a too small --memory, a missing package or a sandbox that cannot start must never cost a
    student points."""
    import ast

    from kata.worker import process, remote
    from kata.worker.errors import LearnerError, WorkerFault, WorkerStartFailed

    modules = set()
    for path in sorted((Path(root) / "solutions").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules.add(node.module.split(".")[0])
    local = {p.stem for p in (Path(root) / "solutions").glob("*.py")} | {"input_data"}
    needed = sorted(modules - local)
    probe = "".join(f"import {name}\n" for name in needed)
    probe += "\n\ndef check(values):\n    import numpy\n    return numpy.asarray(values, dtype=numpy.float32) * 2\n"
    if "tensorflow" in needed:
        probe += ("\n\ndef convolve():\n    import tensorflow as tf\n    x = tf.ones([8, 28, 28, 1])\n"
                  "    return tf.nn.conv2d(x, tf.ones([3, 3, 1, 32]), 1, 'SAME').shape.as_list()\n")
    with tempfile.TemporaryDirectory(prefix="kata-selftest-") as tmp:
        impl = Path(tmp) / "impl"
        impl.mkdir()
        (impl / "probe.py").write_text(probe, encoding="utf-8")
        _readable_by_all(Path(tmp))
        group = cgroups.Group.create(limits.memory_mb, SANDBOX_PROCESSES) if limits.sandbox == "bwrap" else None
        host = process.ForkHost(_zygote_command(root, impl, limits, ("tensorflow",) if "tensorflow" in needed else (),
                                                group))
        workers = remote.Workers(host, limits)
        inside = sandbox.IMPL / "probe.py" if limits.sandbox == "bwrap" else impl / "probe.py"
        what = f"importing {', '.join(needed)} and a first call" if needed else "a first call"
        try:
            workers.set_test("self-test", STARTUP_SECONDS)
            module = workers.module(remote.ModuleSpec("probe", "probe", str(inside), (), "probe.py"))
            module.check(list(range(1000)))
            if "tensorflow" in needed:
                module.convolve()
        except (WorkerStartFailed, WorkerFault, LearnerError) as err:
            raise GraderError(f"the grader cannot run the submissions' code on this machine with these limits "
                              f"(--memory {limits.memory_mb} MB): {what} in the sandbox failed: "
                              f"{type(err).__name__}: {err}") from None
        finally:
            workers.close()
            host.close()
            if group is not None:
                group.remove()


def _zygote_command(root: Path, impl: Path, limits: Limits, preload, group):
    """`command(control_fd, home)` of the submission's zygote: in the workers' sandbox (or plainly,
    with --no-sandbox), inside its cgroup when there is one."""
    if limits.sandbox == "bwrap":
        inner = sandbox.sandboxed_zygote(Path(root) / "kata", Path(root) / "input_data.py", impl, limits, preload,
                                         _dataset_dirs())
    else:
        inner = sandbox.plain_command(Path(root), [impl], limits, preload)

    def command(fd, home):
        argv, env = inner(fd, home)
        return (group.wrap(argv) if group else argv), env
    return command


def _preload(root: Path, steps) -> tuple:
    """("tensorflow",) when the suites of `steps` use it: the zygote imports it once, before any fork."""
    from kata.judging.suite import uses_tensorflow

    suites = [Path(root) / "tests" / folder / f"test_{step}.py" for step in steps for folder in ("steps", "hidden")]
    return ("tensorflow",) if any(uses_tensorflow(path) for path in suites if path.is_file()) else ()


def _dataset_dirs() -> list:
    folder = os.environ.get("FASHION_MNIST_DIR", "")
    return [folder] if folder and Path(folder).is_dir() else []


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
        return "deadline", t(f"la entrega completa tardó más de {limits.submission_seconds:g} s; la corrección "
                             f"se detuvo durante {name}",
                             f"the whole submission ran longer than {limits.submission_seconds:g} s; "
                             f"grading stopped during {name}", lang)
    if run.ended == "timeout":
        return "timeout", t(f"{name} tardó más de {limits.test_seconds:g} s y se detuvo",
                            f"{name} ran longer than {limits.test_seconds:g} s and was stopped", lang)
    if run.ended == "flood":
        return "protocol", t(f"{name} inundó el canal de resultados del corrector; se detuvo la corrección de su paso",
                             f"{name} flooded the grader's result channel; grading of its step stopped", lang)
    if run.out_of_memory.get("judge"):
        return "memory", t(f"la corrección de {name} usó más memoria de la que tiene el corrector (la respuesta de tu "
                           f"código era demasiado grande); este paso no se pudo corregir",
                           f"grading {name} took more memory than the judge has (your code's answer was too "
                           f"large); this step could not be graded", lang)
    return "crash", t(f"la corrección de {name} se detuvo de forma inesperada (código {run.returncode}); este paso "
                      f"no se pudo corregir",
                      f"grading {name} stopped unexpectedly (exit code {run.returncode}); this step could not be "
                      f"graded", lang)


def _record(test: dict, status: str, message: str) -> Outcome:
    return Outcome(test["step"], test["name"], status, message, nodeid=test["nodeid"])


def _no_collection(run) -> str:
    return ("the grading judge stopped before collecting any test (this is a problem of the grader, not "
            f"of the submission: a broken install, a missing sandbox?). Exit code {run.returncode}; "
            f"its last output:\n{run.stderr[-TAIL_BYTES:]}")


def _run_pair(tmp: Path, root: Path, impl: Path, steps, limits, deadline, python, lang) -> _Run:
    """One zygote and one judge, each in its sandbox (and cgroup), over `steps`; what the judge
    reported and how it ended."""
    tmp.mkdir(parents=True)
    _readable_by_all(tmp)
    sandboxed = limits.sandbox == "bwrap"
    workers_group = cgroups.Group.create(limits.memory_mb, SANDBOX_PROCESSES) if sandboxed else None
    judge_group = cgroups.Group.create(JUDGE_MEMORY_MB, SANDBOX_PROCESSES) if sandboxed else None
    theirs, ours = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    zygote = None
    run = _Run(steps=tuple(steps))
    try:
        argv, env = _zygote_command(root, impl, limits, _preload(root, steps), workers_group)(theirs.fileno(), tmp)
        with open(tmp / "zygote.log", "wb") as log:
            zygote = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd=tmp,
                                      pass_fds=(theirs.fileno(),), start_new_session=True)
        theirs.close()
        _run_judge(tmp, root, impl, steps, limits, deadline, python, lang, ours, judge_group, run)
    finally:
        ours.close()
        if zygote is not None:
            _kill_group(zygote)
            zygote.wait()
        for name, group in (("workers", workers_group), ("judge", judge_group)):
            if group is not None:
                run.peak_mb[f"{name}_peak_mb" if name == "workers" else "judge_sandbox_peak_mb"] = group.peak_mb()
                run.out_of_memory[name] = group.out_of_memory()
                group.remove()
    return run


def _run_judge(tmp, root, impl, steps, limits, deadline, python, lang, control, group, run) -> None:
    token = secrets.token_hex(16)
    read_fd, write_fd = os.pipe()
    life_read, life_write = os.pipe()   # the judge ends itself when this end closes (the grader died)
    home = sandbox.HOME if limits.sandbox == "bwrap" else tmp / "home"
    env = sandbox.environment(home, {"KATA_ROOT": str(root), **({"KATA_LANG": lang} if lang else {})})
    command = [python or sys.executable, "-I", "-c",
               "import sys; sys.path.insert(0, sys.argv[1]); from kata_dev.grader.judge_process import main; "
               "main(sys.argv[1:])",
               str(root), str(impl), "--fd", str(write_fd), "--lifeline", str(life_read),
               "--worker-fd", str(control.fileno()), "--steps", *steps, "--sandbox", limits.sandbox,
               "--memory-mb", str(limits.memory_mb), "--output-mb", str(limits.output_mb),
               "--timeout-test", str(limits.test_seconds)]
    if limits.sandbox == "bwrap":
        argv, env = sandbox.bwrap([(str(root), str(root)), (str(impl), str(impl))], command, env), {}
    else:
        (tmp / "home").mkdir(exist_ok=True)
        argv = command
    argv = group.wrap(argv) if group else argv
    with open(tmp / "stderr.log", "wb") as err:
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=err, stderr=err, cwd=tmp, env=env,
                                    pass_fds=(write_fd, life_read, control.fileno()), start_new_session=True)
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
            proc.wait()
    run.returncode = proc.returncode
    run.stderr = _read_tail(tmp / "stderr.log")


def _follow(proc, fd, token, run, limits, deadline) -> None:
    """Read events until the judge ends; stop it at the submission's deadline or when it is silent
    longer than a test may take (the judge enforces the per-test limit on its workers itself)."""
    prefix = token.encode() + b" "
    buffer = b""
    received = 0
    silence = limits.test_seconds + JUDGE_STARTUP_SECONDS
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
            value = event.get("judge_peak_mb")
            if isinstance(value, int) and 0 <= value < 10**7:
                run.peak_mb["judge_peak_mb"] = value
            return False
        if kind == "done":
            run.done = True
            return False
        if kind == "restart":
            run.restart = True
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
    outcome = Outcome.from_dict({**event, **known[nodeid]}, text_limit=MAX_TEXT)
    if outcome.fault and outcome.fault["kind"] == "lost":
        raise ValueError("a lost zygote is not a verdict")
    run.outcomes[nodeid] = outcome
    return True


def _kill_group(proc) -> None:
    """Kill a child's whole process group (it was started in a session of its own)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _read_tail(path: Path) -> str:
    with open(path, "rb") as handle_:
        size = handle_.seek(0, os.SEEK_END)
        handle_.seek(max(0, size - TAIL_BYTES))
        return handle_.read().decode("utf-8", "replace")
