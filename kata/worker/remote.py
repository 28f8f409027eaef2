"""The judge's side of the learner's modules: modules that live in a worker, called as if local.

`Workers.module(...)` loads a learner's module in the step's own worker and returns a
`RemoteModule` whose functions send their arguments across (`codec.py`), wait for the result
within the running test's deadline, and give back the value — or raise what the learner's code
raised, as a `LearnerError` of the same kind. If the worker dies or runs past the deadline, the
call raises `WorkerCrashed` or `WorkerTimeout` and the next call starts a fresh worker. Nothing
that comes back is ever imported, executed or unpickled here.
"""

import collections
import time
import zlib
from dataclasses import dataclass, field

from kata.judging.limits import (ATTEMPT_CHARS, ATTEMPTS_PER_REPLY, OUTPUT_CHARS, STARTUP_SECONDS,
                                 TEST_SECONDS, Limits, reply_budget)
from kata.worker import codec, figures, sync
from kata.worker.errors import WorkerCrashed, WorkerProtocolError, learner_error


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


class RemoteModule:
    """A learner's module living in a worker: its functions are RemoteFunctions, its UPPER_CASE
    constants plain values."""

    def __init__(self, workers, spec, key, functions, constants):
        self._workers, self._spec, self._key = workers, spec, key
        self.__name__ = spec.name
        self.__file__ = spec.display
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


@dataclass(frozen=True)
class ModuleSpec:
    """How to load a step's module in its worker: `path` (as the worker sees it), the references
    `deps` first (each a (name, path) or (name, None, source text): a reference sent as text never
    exists as a file there), the learner's own lines shown in messages (the deps' too when
    `deps_are_learners`), and `guards` {dep module: {function: {argument: rank}}} checked before the
    learner's code calls a dependency (TensorFlow aborts on some wrong ranks)."""

    worker: str                  # the worker it lives in: one per step
    name: str
    path: str
    deps: tuple
    display: str
    deps_are_learners: bool = False
    guards: tuple = ()


class Workers:
    """One judge session's workers: a fresh one per step, from `host` (`kata.worker.process`),
    started when the step's module is first loaded and again after a fault.

    `on_reply(header)`, when given, sees every reply the workers send (the grader collects the
    text a submission sent, to withhold it from its feedback).
    """

    def __init__(self, host, limits: Limits = Limits(), on_reply=None):
        self.host = host
        self.limits = limits
        self.on_reply = on_reply or (lambda header: None)
        self.attempts = []
        self.deadline = None           # time.monotonic() by which the running test must finish
        self.seconds = TEST_SECONDS
        self._seed = 0
        self._workers = {}

    def set_test(self, nodeid: str, seconds: float) -> None:
        """A test starts: its calls share `seconds`, and its random seed comes from its name."""
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self._seed = zlib.crc32(nodeid.encode())
        CALLS.clear()

    def _worker(self, key):
        worker = self._workers.get(key)
        if worker is None or worker.closed:
            began = time.monotonic()
            worker = self._workers[key] = self.host.worker(self.limits.memory_mb, self.limits.output_mb)
            if self.deadline is not None:       # waiting for the zygote's start is never the test's time
                self.deadline += time.monotonic() - began
        return worker

    def _deadline(self, worker) -> float:
        deadline = self.deadline or time.monotonic() + TEST_SECONDS
        if worker.answered == 0 and not getattr(self.host, "warm", False):
            deadline += STARTUP_SECONDS     # a new Python (and TensorFlow) starts before the learner's code runs
        return deadline

    def _request(self, worker, header, blobs, call, on_callback=None):
        sent = sum(len(b) for b in blobs) + len(str(header))
        reply, reply_blobs = worker.request(header, blobs, self._deadline(worker), call, on_callback,
                                            max_reply=reply_budget(sent))
        self.on_reply(reply)
        self.attempts.extend(str(a)[:ATTEMPT_CHARS] for a in (reply.get("attempts") or [])[:ATTEMPTS_PER_REPLY])
        return reply, reply_blobs

    def module(self, spec: ModuleSpec) -> RemoteModule:
        """Load a step's module in its worker. Raises the learner's error (a SyntaxError or an
        import-time exception) as a LearnerError."""
        worker = self._worker(spec.worker)
        call = Call(spec.name, "import", (), {}, spec.display)
        header = {"kind": "load", "name": spec.name, "path": spec.path,
                  "deps": [[dep[0], str(dep[1]) if dep[1] else None, *dep[2:]] for dep in spec.deps],
                  "deps_are_learners": spec.deps_are_learners, "guards": dict(spec.guards)}
        reply, blobs = self._request(worker, header, [], call)
        if reply.get("kind") == "error":
            raise learner_error(reply.get("error"), call)
        if reply.get("kind") != "loaded" or not isinstance(reply.get("key"), str):
            raise WorkerProtocolError(call, "a malformed answer to a load request")
        decoder = codec.Decoder(blobs)
        constants = {k: decoder.decode(v) for k, v in (reply.get("constants") or {}).items() if isinstance(k, str)}
        functions = [f for f in reply.get("functions", []) if isinstance(f, str)]
        worker.loaded[reply["key"]] = spec.name
        return RemoteModule(self, spec, reply["key"], functions, constants)

    def call(self, module: RemoteModule, function: str, args, kwargs):
        call = Call(module.__name__, function, args, kwargs, module.__file__)
        CALLS.append(call)
        try:
            try:
                call.value = self._call(module, function, args, kwargs, call)
            except WorkerCrashed as crash:
                if not crash.confirmable:
                    raise
                # The worker ran other code before (an earlier call of this step): a timer or a thread
                # from there may have crashed it. Retry alone in a fresh worker to be sure.
                call.value = self._call(module, function, args, kwargs, call)
                self.attempts.append(f"the worker crashed during {call.signature()} ({crash.detail}) but not when "
                                     f"that call was retried alone: code run earlier in it (a timer, a thread?) "
                                     f"is the likely cause")
            return call.value
        except BaseException as err:
            call.error = err
            raise

    def _call(self, module, function, args, kwargs, call):
        worker = self._worker(module._spec.worker)
        if module._key not in worker.loaded:       # a fresh worker after a fault: load it again
            module._key = self.module(module._spec)._key
        registry = figures.Registry("j")
        sent = sync.figures_out(registry)
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
        ran_before = worker.calls > 0
        worker.calls += 1
        worker.budget = self.seconds
        called_back = []

        def on_callback(request, blobs):
            called_back.append(True)
            sync.run_callback(worker, request, blobs, callbacks, objects, failures)

        try:
            reply, blobs = self._request(worker, header, encoder.blobs, call, on_callback)
        except WorkerCrashed as crash:
            crash.confirmable = ran_before and not called_back and not failures
            raise
        try:
            decoder = codec.Decoder(blobs, figures=registry, args=objects)
            sync.apply_figures(reply, registry, decoder)
            sync.apply_updates(reply, objects, decoder)
            sync.write_outputs(reply, files, blobs)
            call.stdout = str(reply.get("stdout", ""))[:OUTPUT_CHARS]
            call.written = [str(name)[:200] for name in (reply.get("written") or [])[:50]]
            if call.stdout:
                print(call.stdout, end="" if call.stdout.endswith("\n") else "\n")
            if failures:
                raise failures[0]
            if reply.get("kind") == "error":
                raise learner_error(reply.get("error"), call)
            if reply.get("kind") != "result":
                raise codec.CodecError(f"an answer of kind {str(reply.get('kind'))[:40]!r}")
            return decoder.decode(reply.get("value"))
        except codec.CodecError as err:
            raise WorkerProtocolError(call, str(err), worker.stderr()) from None

    def kill_all(self) -> None:
        """Kill every worker of this session now, from any thread: a call waiting on one ends at once
        (as a crash), and the next call starts a fresh one."""
        for worker in list(self._workers.values()):
            worker.kill()

    def close(self) -> None:
        """Stop every worker of this session (the host, and its zygote, stay)."""
        for worker in self._workers.values():
            worker.close()
        self._workers.clear()
