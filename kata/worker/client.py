"""The judge's side: step modules that live in a worker process, called as if they were local.

`Workers.module(...)` loads a learner's module in a worker and returns a `RemoteModule` whose
functions send their arguments across (`codec.py`), wait for the result within the running
test's deadline, and give back the value — or raise what the learner's code raised, as a
`LearnerError` of the same kind (a `ValueError`, a `tf.errors.InvalidArgumentError`…). If the
worker dies (a segfault, TensorFlow aborting, `os._exit`, the memory limit) or runs past the
deadline, the call raises `WorkerCrashed` or `WorkerTimeout` and the next call starts a fresh worker.
Nothing that comes back is ever imported, executed or unpickled here.
"""

import atexit
import builtins
import collections
import dataclasses
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from kata.worker import codec, figures, sandbox
from kata.worker.protocol import Channel, ChannelClosed, ChannelTimeout, ProtocolError

STDERR_KEEP = 16_000
DEFAULT_DEADLINE_S = 300.0
STARTUP_ALLOWANCE_S = 60.0
MAX_SHOWS = 10


# --------------------------------------------------------------------------- what a call can raise


class WorkerFault(Exception):
    """The worker stopped or misbehaved during a call (not an exception of the learner's code)."""

    kind = "crash"

    def __init__(self, call, detail, stderr=""):
        super().__init__(detail)
        self.call, self.detail, self.stderr = call, detail, stderr


class WorkerCrashed(WorkerFault):
    """The worker process died during the call: a signal, os._exit, an abort, the memory limit."""

    def __init__(self, call, detail, stderr="", returncode=None):
        super().__init__(call, detail, stderr)
        self.returncode = returncode
        self.kind = "memory" if returncode == -signal.SIGKILL else "crash"
        self.confirmable = False    # set when a retry in a fresh worker could tell who caused it


class WorkerTimeout(WorkerFault):
    """The call ran past the test's deadline; the worker was stopped."""

    kind = "timeout"

    def __init__(self, call, detail, stderr="", seconds=None):
        super().__init__(call, detail, stderr)
        self.seconds = seconds      # the test's time budget


class WorkerProtocolError(WorkerFault):
    """The worker sent something that is not a valid answer (the learner's code wrote on its channel?)."""

    kind = "protocol"


class WorkerStartFailed(Exception):
    """The worker died or stayed silent before it was ready, before any learner code ran: a problem
    of this machine (too little memory for Python, a broken install, no sandbox), not of the code."""

    kind = "startup"

    def __init__(self, detail, stderr=""):
        super().__init__(f"the process that runs the code under test could not start ({detail}); its output "
                         f"ends with:\n{stderr[-1500:]}")
        self.detail, self.stderr = detail, stderr


class LearnerError(Exception):
    """An exception raised by the learner's code, rebuilt here from its description."""

    def __init__(self, description: dict, call=None):
        # Exception's own __init__, not the mixed-in class's (tf.errors.OpError wants node_def, op, message).
        Exception.__init__(self, description.get("message", ""))
        self.description = description
        self.call = call

    def __str__(self):
        return str(self.description.get("message", ""))

    @property
    def type_name(self) -> str:
        return str(self.description.get("type", "Exception"))

    @property
    def frames(self) -> list:
        return [f for f in self.description.get("frames", []) if isinstance(f, list) and len(f) == 4]


_BUILTIN = {name: getattr(builtins, name, None)
            for name in ("ValueError", "TypeError", "IndexError", "KeyError", "AttributeError", "ZeroDivisionError",
                         "ArithmeticError", "OverflowError", "FloatingPointError", "NameError", "UnboundLocalError",
                         "RuntimeError", "RecursionError", "NotImplementedError", "AssertionError", "MemoryError",
                         "OSError", "FileNotFoundError", "PermissionError", "IsADirectoryError", "ImportError",
                         "ModuleNotFoundError", "LookupError", "UnicodeError", "EOFError")}
_CLASSES = {}


def learner_error(description: dict, call=None) -> Exception:
    """The learner's exception as an exception of the same kind here (LearnerError mixed in)."""
    if description.get("stub"):
        # The stub's own NotImplementedError: the tests and `kata.stubs` recognise it by its text.
        error = _learner_class("NotImplementedError", NotImplementedError)(description, call)
        return error
    base = None
    module = str(description.get("module", ""))
    if module.startswith("tensorflow") and "tensorflow" in sys.modules:
        base = getattr(sys.modules["tensorflow"].errors, str(description.get("type")), None)
        if not (isinstance(base, type) and issubclass(base, sys.modules["tensorflow"].errors.OpError)):
            base = None
    if base is None:
        for name in [description.get("type"), *description.get("bases", [])]:
            if name in _BUILTIN and _BUILTIN[name] is not None:
                base = _BUILTIN[name]
                break
    return _learner_class(str(description.get("type")), base)(description, call)


def _learner_class(name: str, base):
    key = (name, base)
    if key not in _CLASSES:
        bases = (LearnerError,) if base is None or base is Exception else (LearnerError, base)
        namespace = {"__init__": LearnerError.__init__, "__str__": LearnerError.__str__,
                     "__module__": "kata.worker.learner"}
        if base is not None and hasattr(base, "message") and isinstance(getattr(base, "message", None), property):
            namespace["message"] = property(lambda self: str(self))   # tf.errors.OpError reads .message
        _CLASSES[key] = type(name.split(".")[-1][:80] or "LearnerError", bases, namespace)
    return _CLASSES[key]


# --------------------------------------------------------------------------- one call, for messages


@dataclass
class Call:
    """What was called with what, and what came of it: the raw material of every learner message."""

    module: str
    function: str
    args: tuple
    kwargs: dict
    display: str = ""            # the learner's file, as they would type it: exercises/conv2d.py
    value: object = None
    error: BaseException = None
    stdout: str = ""
    written: list = field(default_factory=list)   # files the call wrote in its working folder

    def signature(self) -> str:
        """`conv2d(x: float32 (1, 3, 3, 1), W: …, strides=1)`, short, for messages."""
        from kata.i18n import t
        from kata.worker.describe import describe_value

        if self.function == "import":
            return t(f"importar {self.display}", f"importing {self.display}")
        parts = [describe_value(a) for a in self.args] + [f"{k}={describe_value(v)}" for k, v in self.kwargs.items()]
        return f"{self.function}({', '.join(parts)})"


CALLS = collections.deque(maxlen=32)     # the latest calls, for the messages of the test that made them


def last_call():
    """The latest call to the learner's code in the running test (a `Call`), or None."""
    return CALLS[-1] if CALLS else None
_PATCHES = []


class patched:
    """Inside a `with` block, every call runs with these module attributes and environment variables
    set in the worker (and undone after it): `patched({"input_data.SHA256": table}, {"FASHION_MNIST_DIR": d})`.
    The same object can be used for several blocks."""

    def __init__(self, attributes: dict = None, env: dict = None):
        self.attributes, self.env = dict(attributes or {}), dict(env or {})

    def __enter__(self):
        _PATCHES.append((self.attributes, self.env))
        return self

    def __exit__(self, *exc):
        _PATCHES.remove((self.attributes, self.env))


# --------------------------------------------------------------------------- the worker process


class Worker:
    """One worker process and its channel; started on first use, stopped on close()."""

    def __init__(self, start_command, name="worker", signals_as_exit_codes=False):
        self.start_command = start_command   # (fds, home) → (argv, env)
        self.name = name
        # bubblewrap reports a child killed by signal N as exit code 128 + N
        self.signals_as_exit_codes = signals_as_exit_codes
        self.process = None
        self.channel = None
        self.loaded = {}
        self.calls = 0
        self.answered = 0           # replies since this process started (0: it may still be importing)
        self._starting = threading.Lock()   # a warm-up thread may be starting it while a test asks
        self._stderr = collections.deque()
        self._stderr_size = 0
        self._home = None
        self.budget = None          # seconds the running test may take (for messages)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        with self._starting:
            self._start()

    def ensure_started(self) -> None:
        """Start the worker unless it runs; waits for a start already under way in another thread."""
        with self._starting:
            if not self.alive:
                self.close()
                self._start()

    def _start(self) -> None:
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        self._home = tempfile.TemporaryDirectory(prefix="kata-worker-")
        home = Path(self._home.name)
        argv, env = self.start_command((to_worker_r, from_worker_w), home)
        try:
            self.process = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                            stderr=subprocess.STDOUT, pass_fds=(to_worker_r, from_worker_w),
                                            cwd=home, start_new_session=True)
        finally:
            os.close(to_worker_r)
            os.close(from_worker_w)
        self.channel = Channel(from_worker_r, to_worker_w)
        self._stderr.clear()
        self._stderr_size = 0
        threading.Thread(target=self._drain, args=(self.process.stdout,), daemon=True,
                         name=f"{self.name}-output").start()
        self.loaded = {}
        self.calls = 0
        self.answered = 0
        try:
            hello, _ = self.channel.receive(time.monotonic() + STARTUP_ALLOWANCE_S)
            if hello.get("kind") != "ready":
                raise ProtocolError("no greeting")
        except (ChannelClosed, ChannelTimeout, ProtocolError) as err:
            returncode = self.process.poll()
            stderr = self.stderr()
            self.close()
            raise WorkerStartFailed(_death(returncode) if returncode is not None else type(err).__name__,
                                    stderr) from None

    def _drain(self, stream) -> None:
        """Keep the last STDERR_KEEP bytes the worker printed at the C level (crash diagnoses)."""
        for chunk in iter(lambda: stream.read1(65536), b""):
            self._stderr.append(chunk)
            self._stderr_size += len(chunk)
            while self._stderr_size > STDERR_KEEP and len(self._stderr) > 1:
                self._stderr_size -= len(self._stderr.popleft())

    def stderr(self) -> str:
        return b"".join(self._stderr).decode("utf-8", "replace")[-STDERR_KEEP:]

    def close(self) -> None:
        """Stop the worker (and, in a sandbox, everything it started) and forget its modules."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.process.wait()
            for fd in (self.channel.read_fd, self.channel.write_fd):
                try:
                    os.close(fd)
                except OSError:
                    pass
            if self.process.stdout:
                self.process.stdout.close()
        if self._home is not None:
            self._home.cleanup()
            self._home = None
        self.process = None
        self.loaded = {}

    def request(self, header, blobs, deadline, call, on_callback=None):
        """Send one request and wait for its answer, serving the worker's callback requests meanwhile."""
        self.ensure_started()
        try:
            self.channel.send(header, blobs)
            while True:
                reply, reply_blobs = self.channel.receive(deadline)
                if reply.get("kind") == "callback" and on_callback is not None:
                    on_callback(reply, reply_blobs)
                    continue
                self.answered += 1
                return reply, reply_blobs
        except ChannelTimeout:
            self._dump_stack()
            stderr = self.stderr()
            self.close()
            raise WorkerTimeout(call, "deadline", stderr, self.budget) from None
        except (ChannelClosed, BrokenPipeError):
            returncode = self.process.wait() if self.process else None
            if self.signals_as_exit_codes and returncode is not None and 128 < returncode < 160:
                returncode = 128 - returncode
            time.sleep(0)  # let the output thread take the last lines
            stderr = self.stderr()
            self.close()
            raise WorkerCrashed(call, _death(returncode), stderr, returncode) from None
        except ProtocolError as err:
            stderr = self.stderr()
            self.close()
            raise WorkerProtocolError(call, str(err), stderr) from None

    def _dump_stack(self) -> None:
        """Give faulthandler's dump (requested with the call) a moment to reach the output."""
        if self.process is not None:
            try:
                self.process.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                pass


def _death(returncode) -> str:
    if returncode is None:
        return "the worker stopped"
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


# --------------------------------------------------------------------------- modules and functions


class RemoteModule:
    """A learner's module living in a worker: its functions are RemoteFunctions, its UPPER_CASE
    constants plain values."""

    def __init__(self, workers, worker_key, key, name, display, functions, constants, path, deps, deps_are_learners):
        self._workers, self._worker_key, self._key = workers, worker_key, key
        self._path, self._deps, self._deps_are_learners = path, deps, deps_are_learners
        self.__name__ = name
        self.__file__ = display
        self._functions = set(functions)
        self._constants = constants

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        if name in self._constants:
            return self._constants[name]
        if name in self._functions:
            return RemoteFunction(self, name)
        raise AttributeError(f"module {self.__file__} has no function {name!r}")

    def __repr__(self):
        return f"<learner's module {self.__file__}>"


class RemoteFunction:
    def __init__(self, module: RemoteModule, name: str):
        self.module, self.__name__ = module, name

    def __call__(self, *args, **kwargs):
        return self.module._workers.call(self.module, self.__name__, args, kwargs)

    def __repr__(self):
        return f"<function {self.__name__} of {self.module.__file__}>"


@dataclass
class Workers:
    """The judge's workers: one per set of visible reference modules (so a step's worker never sees
    the references of steps it does not use), started lazily and restarted after a fault.

    `start_command(worker_key, fds, home)` → (argv, env) for the worker of that key.
    """

    start_command: object
    sandboxed: bool = False
    deadline: float = None             # time.monotonic() by which the running test must finish
    attempts: list = field(default_factory=list)
    _workers: dict = field(default_factory=dict)
    _seed: int = 0
    seconds: float = DEFAULT_DEADLINE_S

    def set_test(self, nodeid: str, seconds: float) -> None:
        """A test starts: its calls share `seconds`, and its random seed comes from its name."""
        import zlib

        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self._seed = zlib.crc32(nodeid.encode())
        CALLS.clear()

    def _worker(self, worker_key) -> Worker:
        if worker_key not in self._workers:
            self._workers[worker_key] = Worker(lambda fds, home: self.start_command(worker_key, fds, home),
                                               name=f"worker-{len(self._workers)}",
                                               signals_as_exit_codes=self.sandboxed)
        return self._workers[worker_key]

    def _deadline(self, worker) -> float:
        deadline = self.deadline or time.monotonic() + DEFAULT_DEADLINE_S
        # Python, and perhaps TensorFlow, start before the learner's code runs: in this request, or
        # (a worker warmed up while the tests were collected) perhaps still now, before its first answer.
        if not worker.alive or worker.answered == 0:
            deadline += STARTUP_ALLOWANCE_S
        return deadline

    def module(self, worker_key, name: str, path, deps, display: str, deps_are_learners=False,
               guards=None) -> RemoteModule:
        """Load `path` as module `name` in the worker for `worker_key`, `deps` first: each a
        (name, path) or (name, None, source text) — a reference sent as text never exists as a file
        in the worker. The learner's own lines are shown in messages (the deps' too when
        `deps_are_learners`). `guards` {dep module: {function: {argument: rank}}}: the ranks checked
        before the learner's code calls a dependency (TensorFlow aborts on some wrong ranks).

        Raises the learner's error (a SyntaxError or import-time exception) as a LearnerError.
        """
        worker = self._worker(worker_key)
        call = Call(name, "import", (), {}, display)
        header = {"kind": "load", "name": name, "path": str(path),
                  "deps": [[dep[0], str(dep[1]) if dep[1] else None, *dep[2:]] for dep in deps],
                  "deps_are_learners": bool(deps_are_learners), "guards": guards or {}}
        reply, blobs = worker.request(header, [], self._deadline(worker), call)
        self.attempts.extend(str(a)[:300] for a in reply.get("attempts", [])[:50])
        if reply.get("kind") == "error":
            raise learner_error(_checked_error(reply.get("error")), call)
        if reply.get("kind") != "loaded" or not isinstance(reply.get("key"), str):
            raise WorkerProtocolError(call, "a malformed answer to a load request")
        decoder = codec.Decoder(blobs)
        constants = {k: decoder.decode(v) for k, v in (reply.get("constants") or {}).items() if isinstance(k, str)}
        functions = [f for f in reply.get("functions", []) if isinstance(f, str)]
        worker.loaded[reply["key"]] = name
        remote = RemoteModule(self, worker_key, reply["key"], name, display, functions, constants, path, deps,
                              deps_are_learners)
        remote._guards = guards
        return remote

    def call(self, module: RemoteModule, function: str, args, kwargs):
        call = Call(module.__name__, function, args, kwargs, module.__file__)
        CALLS.append(call)
        try:
            try:
                call.value = self._call(module, function, args, kwargs, call)
            except WorkerCrashed as crash:
                if not crash.confirmable:
                    raise
                # The worker ran other code before (another step's module, an earlier call): a timer or
                # a thread from there may have crashed it. Retry alone in a fresh worker to be sure.
                call.value = self._call(module, function, args, kwargs, call)
                self.attempts.append(f"the worker crashed during {call.signature()} ({crash.detail}) but not when "
                                     f"that call was retried alone: code run earlier in it (a timer, a thread?) "
                                     f"is the likely cause")
            return call.value
        except BaseException as err:
            call.error = err
            raise

    def _call(self, module, function, args, kwargs, call):
        worker = self._worker(module._worker_key)
        if module._key not in worker.loaded:       # a fresh worker after a fault: load it again
            module._key = self.module(module._worker_key, module.__name__, module._path, module._deps,
                                      module.__file__, module._deps_are_learners, module._guards)._key
        registry = figures.Registry("j")
        sent = _figures_out(registry)
        callbacks, files, objects = [], [], []
        encoder = codec.Encoder(figures=registry, callbacks=callbacks, files=files, objects=objects)
        header = {"kind": "call", "key": module._key, "function": function, "args": encoder.encode(list(args)),
                  "kwargs": encoder.encode(dict(kwargs)), "seed": self._seed + len(CALLS),
                  "dump_after": max(1.0, (self._deadline(worker) - time.monotonic()) - 2.0)}
        header["figures"], header["current"] = sent(encoder)
        header["patches"] = [[*name.rsplit(".", 1), encoder.encode(value)]
                             for attributes, _ in _PATCHES for name, value in attributes.items()]
        header["env"] = {k: str(v) for _, env in _PATCHES for k, v in env.items()}
        failures = []
        ran_before = worker.calls > 0 or len(worker.loaded) > 1
        worker.calls += 1
        worker.budget = self.seconds
        called_back = []

        def on_callback(request, blobs):
            called_back.append(True)
            _run_callback(worker, request, blobs, callbacks, objects, failures)

        try:
            reply, blobs = worker.request(header, encoder.blobs, self._deadline(worker), call, on_callback)
        except WorkerCrashed as crash:
            crash.confirmable = ran_before and not called_back and not failures
            raise
        self.attempts.extend(str(a)[:300] for a in reply.get("attempts", [])[:50])
        try:
            decoder = codec.Decoder(blobs, figures=registry, args=objects)
            _apply_figures(reply, registry, decoder)
            _apply_updates(reply, objects, decoder)
            _write_outputs(reply, files, blobs)
            call.stdout = str(reply.get("stdout", ""))[:4000]
            call.written = [str(name)[:200] for name in (reply.get("written") or [])[:50]]
            if call.stdout:
                print(call.stdout, end="" if call.stdout.endswith("\n") else "\n")
            if failures:
                raise failures[0]
            if reply.get("kind") == "error":
                raise learner_error(_checked_error(reply.get("error")), call)
            if reply.get("kind") != "result":
                raise codec.CodecError(f"an answer of kind {reply.get('kind')!r}")
            return decoder.decode(reply.get("value"))
        except codec.CodecError as err:
            raise WorkerProtocolError(call, str(err), worker.stderr()) from None

    def close(self) -> None:
        for worker in self._workers.values():
            worker.close()
        self._workers.clear()


def _checked_error(error) -> dict:
    if not isinstance(error, dict):
        return {"type": "Exception", "message": "the code under test failed in a way the worker could not describe"}
    return {k: v for k, v in error.items() if k in ("type", "module", "bases", "message", "frames", "stub",
                                                     "stub_step", "exit_code", "errno", "syntax", "line", "text", "file")}


def _figures_out(registry):
    """The judge's open pyplot figures, numbered, and a function that describes them (and any
    figure the arguments added) once the arguments are encoded."""
    numbers = {}
    active = None
    if figures.pyplot_loaded():
        managed, active = figures.managed()
        for number, figure in managed.items():
            numbers[registry.key(figure)] = number

    def describe(encoder):
        items = [{"key": key, "num": numbers.get(key), "desc": figures.describe(figure, encoder.encode)}
                 for key, figure in list(registry.by_key.items())]
        current = next((key for key, number in numbers.items() if number == active), None)
        return items, current

    return describe


def _apply_figures(reply, registry, decoder) -> None:
    described = reply.get("figures") or []
    if not described and not reply.get("shown"):
        return
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    for item in described:
        key = item.get("key")
        if not isinstance(key, str):
            raise codec.CodecError("a figure without a key")
        if key in registry.by_key:
            figure = registry.by_key[key]
        else:
            number = item.get("num")
            figure = plt.figure() if isinstance(number, int) else Figure()
            registry.add(key, figure)
        figures.apply(figure, item.get("desc"), decoder.array)
    for key in reply.get("closed") or []:
        if key in registry.by_key:
            plt.close(registry.by_key[key])
    current = reply.get("current")
    if current in registry.by_key and plt.fignum_exists(getattr(registry.by_key[current], "number", -1)):
        plt.figure(registry.by_key[current].number)
    for _ in range(min(int(reply.get("shown") or 0), MAX_SHOWS)):
        plt.show()


def _apply_updates(reply, objects, decoder) -> None:
    """Give the judge's own arrays, Variables and models the changes the call made to their copies."""
    import numpy as np

    for update in reply.get("updates") or []:
        ref, node = update.get("ref"), update.get("value")
        if not isinstance(ref, int) or not 0 <= ref < len(objects) or not isinstance(node, dict):
            raise codec.CodecError("a malformed update")
        target = objects[ref]
        if node.get("$") == "model_state":
            from kata.worker import keras_safe

            if node.get("error"):
                raise codec.CodecError(str(node["error"])[:500])
            keras_safe.set_state(target, [decoder.array(w) for w in node.get("weights", [])], node.get("compile"))
            continue
        value = decoder.array(node)
        if isinstance(target, np.ndarray):
            if value.shape == target.shape and target.flags.writeable:
                target[...] = value.astype(target.dtype, copy=False)
        elif hasattr(target, "assign") and tuple(target.shape) == value.shape:
            target.assign(value.astype(target.dtype.as_numpy_dtype, copy=False))


def _write_outputs(reply, files, blobs) -> None:
    for ref, blob in reply.get("outputs") or []:
        if isinstance(ref, int) and 0 <= ref < len(files) and isinstance(blob, int) and 0 <= blob < len(blobs):
            path = Path(files[ref].path)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(blobs[blob])


def _run_callback(worker, request, blobs, callbacks, objects, failures) -> None:
    """Run one of the test's callbacks for the worker, and answer it (a failure is kept for later)."""
    index = request.get("id")
    try:
        if not isinstance(index, int) or not 0 <= index < len(callbacks):
            raise codec.CodecError("a callback that was not given")
        target = callbacks[index]
        decoder = codec.Decoder(blobs, args=objects)
        args = decoder.decode(request.get("args"))
        kwargs = decoder.decode(request.get("kwargs"))
        if not isinstance(args, list) or not isinstance(kwargs, dict) or not all(isinstance(k, str) for k in kwargs):
            raise codec.CodecError("malformed callback arguments")
        method = request.get("method")
        if method is None:
            value = target(*args, **kwargs)
        else:
            if not (isinstance(method, str) and method.startswith("on_")):
                raise codec.CodecError(f"a callback hook {method!r}")
            _sync_keras_callback(target, request, kwargs, objects, decoder)
            value = getattr(target, method)(*args, **kwargs)
        encoder = codec.Encoder(strict=False)
        worker.channel.send({"kind": "callback_result", "value": encoder.encode(value)}, encoder.blobs)
    except BaseException as err:  # the test's own failure (or a bad request): answered, and kept
        failures.append(err)
        worker.channel.send({"kind": "callback_error"})


def _sync_keras_callback(target, request, kwargs, objects, decoder) -> None:
    """Before a keras hook runs here: its model is the judge's copy, with the worker's weights."""
    import keras

    model = next((o for o in objects if isinstance(o, keras.Model)), None)
    if model is None:
        return
    if getattr(target, "model", None) is not model:
        target.set_model(model)
    params = kwargs.pop("params", None)
    if isinstance(params, dict):
        target.set_params(params)
    node = request.get("model")
    if isinstance(node, dict) and node.get("$") == "model_state":
        from kata.worker import keras_safe

        keras_safe.set_state(model, [decoder.array(w) for w in node.get("weights", [])], None)


_SHARED = {}


def shared_workers(runtime: Path, isolation=None) -> Workers:
    """Workers without a sandbox (the learner's own checks, the proofs): one per process, kept
    across pytest sessions, so a session that checks one step after another — or the proofs'
    hundred variants — imports TensorFlow in a worker once."""
    isolation = isolation or sandbox.Isolation()
    # One worker whatever it preloads: it starts with the first session's preload (and starts again
    # with it after a crash); a later session's only cost is importing TensorFlow at its first test.
    key = (str(runtime), dataclasses.replace(isolation, preload=()))
    if key not in _SHARED:
        def start(worker_key, fds, home):
            return sandbox.plain_command(runtime, home, [], isolation, fds)

        _SHARED[key] = Workers(start)
        atexit.register(_SHARED[key].close)
    return _SHARED[key]
