"""The judge: the pytest plugin that runs the step suites against code living in another process.

The tests in `tests/steps` ask for `load_step("conv2d")` and get a module whose functions run in a
worker (`kata.worker`): the learner's code never shares a process with the tests that judge it,
so it cannot bend them, and a crash, an abort or an endless loop costs only the test that met it.
Every step gets a worker of its own, forked from a zygote that imported TensorFlow once, so no
step's code (nor an earlier version of it) can change another's verdict. The same plugin serves
`pytest`, `kata check`, `kata watch`, `kata status`, the notebooks' check cells, the nbgrader
cells and `kata dev grade` (which hands it a sandboxed zygote and limits), so a learner's own
check and the grader give the same verdict.

Every failure a learner reads is a message, never a traceback of the tests or of a library:
`kata.judging.failures` words it from what was called, what came back or was raised, and the
likely cause.
"""

import os
import socket
import threading
from pathlib import Path

import pytest

from kata import impl, manifest
from kata.feedback import Feedback
from kata.judging import failures, withheld
from kata.judging.limits import TEST_SECONDS, Limits, local_memory_mb
from kata.judging.suite import SUITE_FOLDERS, step_of, uses_tensorflow
from kata.paths import PACKAGE_ROOT, find_root, relative
from kata.stubs import is_stub_error
from kata.worker import process, remote, sandbox
from kata.worker.errors import LearnerError, WorkerFault, WorkerHostLost, WorkerStartFailed

# What the code under test tried that it should not need, gathered from every session that ends
# in this process (the grader's judge reports them to the instructor).
ATTEMPTS = []
# Set by a warm judge (`kata watch`) when a newer save makes the running check stale.
CANCEL = threading.Event()
_LIVE = set()              # the judges of the sessions running in this process


def cancel_running() -> None:
    """Stop the checks running in this process: their workers are killed, so the test that runs
    ends at once, and no further test starts (the session ends)."""
    CANCEL.set()
    for judge in list(_LIVE):
        if judge._workers is not None:
            judge._workers.kill_all()


def pytest_addoption(parser):
    group = parser.getgroup("kata", "cnn-kata")
    group.addoption("--impl", default="exercises",
                    help="implementation to test: exercises (default), solutions, or the path of a folder of step modules")
    group.addoption("--sandbox", choices=("none", "bwrap"), default="none",
                    help="run the code under test inside bubblewrap (grading untrusted code)")
    group.addoption("--worker-fd", type=int, default=None,
                    help="the control socket of a zygote already running (the grader starts it in its sandbox)")
    group.addoption("--worker-memory-mb", type=int, default=None,
                    help="address-space limit of a worker in MB (default: half this machine's memory and 3 GB more, "
                         "at most 8 GB; 0: none)")
    group.addoption("--worker-output-mb", type=int, default=Limits().output_mb,
                    help="what a worker may print or write, in MB")
    group.addoption("--test-timeout", type=float, default=TEST_SECONDS,
                    help="seconds the calls of one test may take before the worker is stopped")
    group.addoption("--impl-label", default="",
                    help="how messages name the folder under test (the grader says `exercises`)")
    group.addoption("--withhold-learner-text", action="store_true",
                    help="messages keep what the code under test wrote out of the learner's text (the grader's feedback)")


def _root(config) -> Path:
    return Path(str(config.rootpath)) if (Path(str(config.rootpath)) / "kata" / "steps.toml").is_file() else find_root()


class Judge:
    """Per pytest session: the implementation under test, its workers, the steps already faulted."""

    def __init__(self, config):
        self.root = _root(config)
        self.spec = config.getoption("--impl")
        memory = config.getoption("--worker-memory-mb")
        self.limits = Limits(test_seconds=config.getoption("--test-timeout"),
                             memory_mb=local_memory_mb() if memory is None else memory,
                             output_mb=config.getoption("--worker-output-mb"), sandbox=config.getoption("--sandbox"))
        self.worker_fd = config.getoption("--worker-fd")
        self.preload = _preload(config)
        self.label = config.getoption("--impl-label")
        self.withheld = withheld.Collector(self.root) if config.getoption("--withhold-learner-text") else None
        self.faulted = {}          # step id → learner-facing reason the rest of its tests are not run
        self.modules = {}
        self._host = None
        self._own_host = False
        self._workers = None
        self._warming = None       # the thread starting the zygote while the tests are collected
        _LIVE.add(self)

    @property
    def impl_dir(self) -> Path:
        return impl.resolve(self.spec, self.root)

    def deps_dir(self) -> Path:
        return impl.reference_dir(self.root) or self.impl_dir

    @property
    def host(self):
        if self._host is None:
            if self.worker_fd is not None:
                self._host = process.ForkHost(control=socket.socket(fileno=self.worker_fd))
                self._own_host = True
            elif self.limits.sandbox == "bwrap":
                sandbox.check_bwrap()
                self._host = process.ForkHost(sandbox.sandboxed_zygote(
                    PACKAGE_ROOT / "kata", PACKAGE_ROOT / "input_data.py", self.impl_dir, self.limits, self.preload,
                    _dataset_dirs()))
                self._own_host = True
            else:
                self._host = shared_host(self.limits, self.preload)
        return self._host

    @property
    def workers(self) -> remote.Workers:
        if self._workers is None:
            self._workers = remote.Workers(self.host, self.limits,
                                           on_reply=self.withheld.collect if self.withheld else None)
        return self._workers

    def warm_up(self) -> None:
        """Start the zygote now, in a thread: its Python and TensorFlow start while pytest imports the
        suites (2 cores: both at once). Any failure is left for the first load to meet and report."""
        if not self.preload or self._warming is not None or self.worker_fd is not None:
            return
        try:
            host = self.host
        except Exception:           # e.g. no bubblewrap: every test reports it
            return
        self._warming = threading.Thread(target=_start_quietly, args=(host,), daemon=True, name="kata-zygote-warm-up")
        self._warming.start()

    def display(self, path: Path) -> str:
        if self.label:
            return f"{self.label}/{Path(path).name}"
        shown = relative(path, self.root)
        return shown if not Path(shown).is_absolute() else f"{Path(path).parent.name}/{Path(path).name}"

    def load(self, step_id: str):
        """The learner's module of a step, in a worker of its own, with the earlier steps it uses
        from the reference (or, in a student release, from the learner's own folder)."""
        step = manifest.get(step_id, self.root)
        if step.id in self.modules:
            return self.modules[step.id]
        if self._warming is not None:
            self._warming.join()
        path = self.impl_dir / step.filename
        if not path.is_file():
            raise Feedback(failures.missing_file(path, self.display(path)))
        deps = manifest.dependencies(step, self.root)
        for module in deps:
            if not (self.deps_dir() / f"{module}.py").is_file():
                raise Feedback(failures.missing_file(self.deps_dir() / f"{module}.py",
                                                     self.display(self.deps_dir() / f"{module}.py")))
        spec = remote.ModuleSpec(step.id, step.module, *self._where(step, path, deps), self.display(path),
                                 deps_are_learners=impl.reference_dir(self.root) is None,
                                 guards=tuple((m, manifest.by_module(m, self.root).ranks) for m in deps
                                              if manifest.by_module(m, self.root).ranks))
        try:
            module = self.workers.module(spec)
        except LearnerError as err:
            raise _worded(lambda: failures.import_failed(err, self.display(path))) from None
        self.modules[step.id] = module
        return module

    def _where(self, step, path, deps) -> tuple:
        """(the module's path as the worker sees it, its references). When grading, the references
        are sent as text, which never exists as a file in the worker; in a student release, which
        has none, the learner's own earlier steps come from their folder."""
        folder = sandbox.IMPL if self.limits.sandbox == "bwrap" else self.impl_dir
        references = impl.reference_dir(self.root)
        if references is None:
            return str(folder / step.filename), tuple((m, str(folder / f"{m}.py")) for m in deps)
        if self.limits.sandbox == "bwrap" or self.worker_fd is not None:
            return str(folder / step.filename), tuple((m, None, (references / f"{m}.py").read_text(encoding="utf-8"))
                                                      for m in deps)
        return str(path), tuple((m, str(references / f"{m}.py")) for m in deps)

    def close(self):
        _LIVE.discard(self)
        if self._warming is not None:
            self._warming.join()
        if self._workers is not None:
            ATTEMPTS.extend(self._workers.attempts)
            self._workers.attempts.clear()
            self._workers.close()
        if self._own_host and self._host is not None:
            self._host.close()


def _worded(make) -> Feedback:
    """A Feedback of the message `make()` words; in the grader, with the full wording kept apart
    for the instructor (`detail`)."""
    feedback = Feedback(make())
    if withheld.active():
        with withheld.revealed():
            feedback.full_text = make()
    return feedback


def _start_quietly(host) -> None:
    try:
        host.start()
    except Exception:       # started again, and reported, by the first load
        pass


_SHARED = {}


def shared_host(limits: Limits, preload=()):
    """The host of a learner's own checks: one per process and set of limits, kept across pytest
    sessions (`kata watch`, the notebooks, `kata status`, the proofs' hundred variants), so its
    zygote imports TensorFlow once; every session still gets fresh workers forked from it."""
    import atexit

    key = (limits.memory_mb, limits.output_mb)
    if key not in _SHARED:
        command = sandbox.plain_command(PACKAGE_ROOT, [find_root()], limits, preload or ("tensorflow",),
                                        zygote=process.fork_available())
        _SHARED[key] = process.ForkHost(command) if process.fork_available() else process.SpawnHost(command)
        atexit.register(_SHARED[key].close)
    return _SHARED[key]


def _preload(config) -> tuple:
    """("tensorflow",) when the suites this session imports do (then the judge imports it during
    collection, and the zygote importing it at the same time costs no wait); else nothing."""
    from importlib.util import find_spec

    files = []
    for arg in config.args or [str(Path(config.rootpath) / p) for p in config.getini("testpaths")]:
        path = Path(str(arg).split("::")[0])
        path = path if path.is_absolute() else Path(config.invocation_params.dir) / path
        files += sorted(path.rglob("test_*.py")) if path.is_dir() else [path]
    suites = [f for f in files if f.parent.name in SUITE_FOLDERS and f.is_file()]
    return ("tensorflow",) if any(map(uses_tensorflow, suites)) and find_spec("tensorflow") else ()


def _dataset_dirs() -> list:
    found = [os.environ.get("FASHION_MNIST_DIR", "")]
    return [d for d in found if d and Path(d).is_dir()]


def _is_step_suite(item) -> bool:
    """Step suites (tests/steps, tests/hidden) get learner-facing messages; the kata's own tests keep
    their tracebacks for maintainers."""
    return item.path.parent.name in SUITE_FOLDERS


def pytest_configure(config):
    config.pluginmanager.register(JudgePlugin(config), "kata-judge")


class JudgePlugin:
    def __init__(self, config):
        self.judge = Judge(config)

    def pytest_sessionstart(self, session):
        self.judge.warm_up()

    def pytest_unconfigure(self, config):
        self.judge.close()

    @pytest.fixture(scope="session")
    def impl_dir(self) -> Path:
        """The folder of step modules under test."""
        try:
            return self.judge.impl_dir
        except impl.StepUnavailable as err:
            pytest.exit(str(err), returncode=4)

    @pytest.fixture(scope="session")
    def load_step(self, impl_dir):
        """`load_step(step_id)` → the step's module under test, living in a worker."""
        return self.judge.load

    @pytest.fixture(scope="session")
    def reference_step(self, impl_dir):
        """`reference_step(step_id)` → the reference module, in this process (trusted code); in a
        student release, which has no solutions, the learner's own, in a worker."""
        judge = self.judge

        def load(step_id):
            if impl.reference_dir(judge.root) is None:
                return judge.load(step_id)
            try:
                return impl.load_step(step_id, impl.reference_dir(judge.root), reference_deps=True, root=judge.root)
            except impl.StepUnavailable as err:
                raise Feedback(str(err)) from None
        return load

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item):
        """Each test gets its own deadline and seed; a step that faulted runs no more tests."""
        if not _is_step_suite(item):
            return
        if CANCEL.is_set():
            pytest.exit("cancelled: a newer version of the code is waiting to be checked", returncode=2)
        step = step_of(item.path)
        self.judge.workers.set_test(item.nodeid, self.judge.limits.test_seconds)
        if self.judge.withheld:
            self.judge.withheld.start_test()
        if step in self.judge.faulted:
            raise Feedback(self.judge.faulted[step])

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        """Every failure becomes the learner-facing message of `kata.judging.failures`; a worker fault
        is also recorded (for the grader) and stops the rest of that step's tests."""
        outcome = yield
        report = outcome.get_result()
        if call.excinfo is None or report.passed or report.skipped or not _is_step_suite(item):
            return
        exc = call.excinfo.value
        step = step_of(item.path)
        shown = self.judge.withheld.mask if self.judge.withheld else (lambda text: text)
        if isinstance(exc, WorkerHostLost):       # not this test's doing: the grader starts a fresh pair
            item.session.shouldstop = "the zygote is gone"
            report.user_properties.append(("fault", {"kind": "lost", "reason": str(exc)[:500]}))
        elif isinstance(exc, WorkerFault):
            self.judge.faulted.setdefault(step, shown(failures.not_run(item.name, exc)))
            report.user_properties.append(("fault", {"kind": exc.kind, "reason": shown(failures.fault(exc))}))
        elif isinstance(exc, WorkerStartFailed):
            report.user_properties.append(("fault", {"kind": exc.kind, "reason": str(exc)}))
        message = failures.message(exc)
        if self.judge.withheld:
            with withheld.revealed():
                report.user_properties.append(("detail", getattr(exc, "full_text", None) or failures.message(exc)))
        report.longrepr = shown(message)
        if not (isinstance(exc, (Feedback, WorkerFault, LearnerError)) or is_stub_error(exc)):
            report.user_properties.append(("unexpected", f"{type(exc).__name__}: {exc}"[:500]))
