"""The judge: the pytest plugin that runs the step suites against code living in another process.

The tests in `tests/steps` ask for `load_step("conv2d")` and get a module whose functions run in a
worker (`kata.worker`): the learner's code never shares a process with the tests that judge it,
so it cannot bend them, and a crash, an abort or an endless loop costs only the test that met it.
The same plugin serves `pytest`, `kata check`, `kata status`, the notebooks' check cells, the
nbgrader cells and `kata dev grade` (which adds `--sandbox bwrap` and limits), so a learner's own
check and the grader give the same verdict.

Every failure a learner reads is a message, never a traceback of the tests or of a library:
`kata.failures` words it from what was called, what came back or was raised, and the likely cause.
"""

import os
import tempfile
import threading
from pathlib import Path

import pytest

from kata import failures, impl, manifest
from kata.feedback import Feedback
from kata.paths import PACKAGE_ROOT, find_root, relative
from kata.stubs import is_stub_error
from kata.suite import SUITE_FOLDERS, step_of, uses_tensorflow
from kata.worker import client, sandbox

DEFAULT_TEST_TIMEOUT_S = 300.0
# What the code under test tried that it should not need, gathered from every session that ends
# in this process (the grader's judge reports them to the instructor).
ATTEMPTS = []


def pytest_addoption(parser):
    group = parser.getgroup("kata", "cnn-kata")
    group.addoption("--impl", default="exercises",
                    help="implementation to test: exercises (default), solutions, or the path of a folder of step modules")
    group.addoption("--sandbox", choices=("none", "bwrap"), default="none",
                    help="run the code under test inside bubblewrap (grading untrusted code)")
    group.addoption("--worker-memory-mb", type=int, default=0, help="address-space limit of a worker (0: none)")
    group.addoption("--worker-output-mb", type=int, default=64, help="what a worker may print or write, in MB")
    group.addoption("--test-timeout", type=float, default=DEFAULT_TEST_TIMEOUT_S,
                    help="seconds the calls of one test may take before the worker is stopped")
    group.addoption("--impl-label", default="",
                    help="how messages name the folder under test (the grader says `exercises`)")


def _root(config) -> Path:
    return Path(str(config.rootpath)) if (Path(str(config.rootpath)) / "kata" / "steps.toml").is_file() else find_root()


class Judge:
    """Per pytest session: the implementation under test, its workers, the steps already faulted."""

    def __init__(self, config):
        self.root = _root(config)
        self.spec = config.getoption("--impl")
        self.sandboxed = config.getoption("--sandbox") == "bwrap"
        self.isolation = sandbox.Isolation(
            "bwrap" if self.sandboxed else "none", config.getoption("--worker-memory-mb"),
            config.getoption("--worker-output-mb"), tuple(_dataset_dirs()), preload=_preload(config))
        self.timeout = config.getoption("--test-timeout")
        self.label = config.getoption("--impl-label")
        self.faulted = {}          # step id → learner-facing reason the rest of its tests are not run
        self.modules = {}
        self._tmp = None
        self._workers = None
        self._held = []            # per sandboxed worker: the reference modules it has been sent
        self._warming = None       # the thread starting the first worker while the tests are collected

    @property
    def impl_dir(self) -> Path:
        return impl.resolve(self.spec, self.root)

    def deps_dir(self) -> Path:
        return impl.reference_dir(self.root) or self.impl_dir

    @property
    def workers(self) -> client.Workers:
        if self._workers is None:
            if self.sandboxed:
                sandbox.check_bwrap()
                self._tmp = tempfile.TemporaryDirectory(prefix="kata-judge-")
                self._workers = client.Workers(self._start_sandboxed, sandboxed=True)
            else:
                self._workers = client.shared_workers(PACKAGE_ROOT, self.isolation)
        return self._workers

    def warm_up(self) -> None:
        """Start the first worker now, in a thread: its Python and TensorFlow start while pytest
        imports the suites (2 cores: both at once). A request waits for a start under way
        (`Worker.ensure_started`); any failure here is left for the first load to meet and report."""
        if not self.isolation.preload or self._warming is not None:
            return
        try:
            worker = self.workers._worker(0 if self.sandboxed else "shared")
        except Exception:           # e.g. no bubblewrap: every test reports it, as before
            return
        if not worker.alive:
            self._warming = threading.Thread(target=_start_quietly, args=(worker,), daemon=True,
                                             name="kata-worker-warm-up")
            self._warming.start()

    def _start_sandboxed(self, worker_key, fds, home):
        refs = Path(self._tmp.name) / "refs"     # empty: references arrive as text, only when needed
        refs.mkdir(exist_ok=True)
        return sandbox.sandbox_command(PACKAGE_ROOT / "kata", PACKAGE_ROOT / "input_data.py", self.impl_dir, refs,
                                       self.isolation, fds)

    def _sandboxed_worker(self, deps) -> int:
        """The worker for a step using the references `deps`: one whose references so far are among
        them (so it never holds a reference the step does not use), else a new one. Grading steps
        with fewer references first lets one worker serve the whole kata."""
        for key, held in enumerate(self._held):
            if held <= set(deps):
                held.update(deps)
                return key
        self._held.append(set(deps))
        return len(self._held) - 1

    def display(self, path: Path) -> str:
        if self.label:
            return f"{self.label}/{Path(path).name}"
        shown = relative(path, self.root)
        return shown if not Path(shown).is_absolute() else f"{Path(path).parent.name}/{Path(path).name}"

    def load(self, step_id: str):
        """The learner's module of a step, in a worker, with the earlier steps it uses from the reference."""
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
        if self.sandboxed and impl.reference_dir(self.root) is not None:
            worker_key = self._sandboxed_worker(deps)
            where = (sandbox.INSIDE / "impl" / step.filename,
                     [(m, None, (self.deps_dir() / f"{m}.py").read_text(encoding="utf-8")) for m in deps])
        elif self.sandboxed:   # no references: the learner's own earlier steps, from their folder
            worker_key = 0
            where = (sandbox.INSIDE / "impl" / step.filename, [(m, sandbox.INSIDE / "impl" / f"{m}.py") for m in deps])
        else:
            worker_key = "shared"
            where = (path, [(m, self.deps_dir() / f"{m}.py") for m in deps])
        guards = {m: manifest.by_module(m, self.root).ranks for m in deps if manifest.by_module(m, self.root).ranks}
        try:
            module = self.workers.module(worker_key, step.module, where[0], where[1], self.display(path),
                                         deps_are_learners=impl.reference_dir(self.root) is None, guards=guards)
        except client.LearnerError as err:
            raise Feedback(failures.import_failed(err, self.display(path))) from None
        self.modules[step.id] = module
        return module

    def close(self):
        if self._warming is not None:
            self._warming.join()
        if self._workers is not None:
            ATTEMPTS.extend(self._workers.attempts)
            self._workers.attempts.clear()
            if self.sandboxed:
                self._workers.close()      # shared workers stay for the next session of this process
        if self._tmp is not None:
            self._tmp.cleanup()


def _is_step_suite(item) -> bool:
    """Step suites (tests/steps, tests/hidden) get learner-facing messages; the kata's own tests keep
    their tracebacks for maintainers."""
    return item.path.parent.name in SUITE_FOLDERS


def _start_quietly(worker) -> None:
    try:
        worker.ensure_started()
    except Exception:       # started again, and reported, by the first load
        pass                # (a failed start has already closed the worker)


def _preload(config) -> tuple:
    """("tensorflow",) when the suites this session imports do (then the judge imports it during
    collection, and the worker importing it at the same time costs no wait); else nothing."""
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
        step = step_of(item.path)
        self.judge.workers.set_test(item.nodeid, self.judge.timeout)
        if step in self.judge.faulted:
            raise Feedback(self.judge.faulted[step])

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        """Every failure becomes the learner-facing message of `kata.failures`; a worker fault is
        also recorded (for the grader) and stops the rest of that step's tests."""
        outcome = yield
        report = outcome.get_result()
        if call.excinfo is None or report.passed or report.skipped or not _is_step_suite(item):
            return
        exc = call.excinfo.value
        step = step_of(item.path)
        if isinstance(exc, client.WorkerFault):
            self.judge.faulted.setdefault(step, failures.not_run(item.name, exc))
            report.user_properties.append(("fault", {"kind": exc.kind, "reason": failures.fault(exc)}))
        elif isinstance(exc, client.WorkerStartFailed):
            report.user_properties.append(("fault", {"kind": exc.kind, "reason": str(exc)}))
        report.longrepr = failures.message(exc)
        if not (isinstance(exc, (Feedback, client.WorkerFault, client.LearnerError)) or is_stub_error(exc)):
            report.user_properties.append(("unexpected", f"{type(exc).__name__}: {exc}"[:500]))
