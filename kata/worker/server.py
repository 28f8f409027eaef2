"""The worker: the only process that imports and runs the learner's code.

Started alone by `kata.worker.process.SpawnHost`, or forked by the zygote (`kata.worker.zygote`)
once per step from a process that has imported TensorFlow and run nothing else — inside the
sandbox when grading. It reads requests from its channel — load a module, call one of its
functions — and answers each with a result or with the learner's exception (type, message, and
the learner's own frames only). Arguments, results, changed Variables, arrays and models,
figures and files cross as described in `codec.py`. Whatever this process sends is treated by
the judge as untrusted: it can lie only about what the learner's code returned, which is the
learner's to decide anyway.

    python -I -S -c "<bootstrap>" --channel-fd N [--memory-mb M] [--output-mb O] [--read-root P]…
    python -I -S -c "<bootstrap>" --zygote --control-fd N [--preload tensorflow] …
"""

import argparse
import faulthandler
import hashlib
import importlib
import os
import resource
import sys
import traceback
import types
from pathlib import Path

from kata.judging.limits import ERROR_CHARS, OUTPUT_MB
from kata.worker import calls, codec, figures, loading
from kata.worker.attempts import Attempts
from kata.worker.protocol import Channel, ChannelClosed


class Worker:
    """Serves one judge over one channel: loads modules, runs calls, relays callbacks."""

    def __init__(self, channel: Channel, output_limit: int, attempts: Attempts):
        self.channel = channel
        self.output_limit = output_limit
        self.attempts = attempts
        self.learner_files = set()     # the files whose frames a learner is shown
        self.modules = {}
        self.tmp = Path(os.environ.get("TMPDIR", "/tmp"))
        self.calls = 0

    # ------------------------------------------------------------------ the loop

    def serve(self) -> None:
        while True:
            try:
                header, blobs = self.channel.receive()
            except ChannelClosed:
                return
            if header.get("kind") == "exit":
                return
            self.handle(header, blobs)

    def handle(self, header, blobs) -> None:
        kind = header.get("kind")
        if kind == "load":
            self.channel.send(*self.load(header))
        elif kind == "call":
            self.channel.send(*self.call(header, blobs))
        else:
            self.channel.send({"kind": "error", "error": {"type": "ProtocolError", "message": f"unknown request {kind!r}"}})

    # ------------------------------------------------------------------ loading

    def load(self, request):
        """Load the learner's module of a step, the references it uses first (each sees those before)."""
        try:
            deps = {}
            guards = request.get("guards") or {}
            for name, path, *source in request.get("deps", []):
                deps[name] = calls.guarded(self._module(name, path, dict(deps), source[0] if source else None),
                                           guards.get(name) or {})
            self.learner_files.add(str(Path(request["path"]).resolve()))
            if request.get("deps_are_learners"):
                self.learner_files.update(str(Path(dep[1]).resolve()) for dep in request.get("deps", []) if dep[1])
            module = self._module(request["name"], request["path"], deps)
        except SyntaxError as err:
            return ({"kind": "error", "error": {"type": "SyntaxError", "module": "builtins", "syntax": True,
                                                "message": str(err.msg), "line": err.lineno, "text": (err.text or "").strip(),
                                                "file": Path(err.filename or request["path"]).name}},)
        except BaseException as err:  # an import-time crash belongs to the learner's file
            return ({"kind": "error", "error": self.describe_error(err), "attempts": self.attempts.take()},)
        functions = sorted(name for name, value in vars(module).items()
                           if isinstance(value, types.FunctionType) and not name.startswith("_"))
        constants = {}
        encoder = codec.Encoder(strict=False)
        for name, value in vars(module).items():
            if not name.startswith("_") and name.isupper() and isinstance(value, (int, float, str, tuple, list)):
                try:
                    constants[name] = encoder.encode(value)
                except codec.CodecError:
                    continue
        return ({"kind": "loaded", "key": self._key(request["path"], deps), "functions": functions,
                 "constants": constants, "attempts": self.attempts.take()}, encoder.blobs)

    def _key(self, path, deps, source=None) -> str:
        data = source.encode("utf-8") if source is not None else Path(path).read_bytes()
        digest = hashlib.sha1(data).hexdigest()[:16]
        return f"{path}@{digest}+" + ",".join(f"{n}:{id(m)}" for n, m in sorted(deps.items()))

    def _module(self, name, path, deps, source=None):
        key = self._key(path, deps, source)
        if key not in self.modules:
            self.modules[key] = loading.execute(
                name, path=path, source=source, deps=deps, private_name=f"kata_learner_{len(self.modules)}.{name}",
                run=lambda body: _recorded(self.attempts, body))
        return self.modules[key]

    # ------------------------------------------------------------------ calling

    def call(self, request, blobs):
        module = self.modules.get(request.get("key"))
        if module is None:
            return ({"kind": "error", "error": {"type": "ProtocolError", "message": "call to a module not loaded"}},)
        self.calls += 1
        calls.seed(int(request.get("seed", 0)))
        registry = figures.Registry("w")
        sent_figures = self._mirror_in(request, blobs, registry)
        call_dir = self.tmp / f"call{self.calls}"
        decoder = codec.Decoder(blobs, figures=registry, make_callback=self._callback_maker(),
                                input_root=call_dir / "in", output_root=call_dir / "out", trusted=True)
        try:
            args = decoder.decode(request.get("args"))
            kwargs = decoder.decode(request.get("kwargs"))
        except Exception as err:  # a value the test sent that the worker cannot rebuild
            return ({"kind": "error", "error": {"type": "ProtocolError", "module": "kata",
                                                "message": f"{type(err).__name__}: {err}"}},)
        before = {ref: calls.state(obj) for ref, obj in decoder.refs.items()}
        cwd_before = calls.listing(Path.cwd())
        undo = calls.patch(request, decoder)
        output = calls.OutputLimit(self.output_limit)
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = output
        dump_after = float(request.get("dump_after") or 0)
        if dump_after > 0:
            faulthandler.dump_traceback_later(dump_after, exit=False, file=sys.__stderr__)
        value, error = None, None
        try:
            with self.attempts.recording():
                value = getattr(module, request["function"])(*args, **kwargs)
        except BaseException as err:  # everything the learner's code can raise is reported, nothing escapes
            error = err
        finally:
            faulthandler.cancel_dump_traceback_later()
            sys.stdout, sys.stderr = saved
            undo()
        encoder = codec.Encoder(figures=registry, arg_ids={id(obj): ref for ref, obj in decoder.refs.items()},
                                strict=False)
        reply = {"kind": "result" if error is None else "error", "stdout": output.text()}
        if error is None:
            try:
                reply["value"] = encoder.encode(value)
            except codec.CodecError as err:
                reply["value"] = {"$": "opaque", "type": type(value).__name__, "text": str(err)}
        else:
            reply["error"] = self.describe_error(error)
        reply["updates"] = calls.updates(decoder.refs, before, encoder)
        reply.update(self._mirror_out(registry, sent_figures, encoder))
        reply["outputs"] = [[ref, encoder.blob(path.read_bytes())] for ref, path in decoder.outputs.items()
                            if path.is_file() and path.stat().st_size <= self.output_limit]
        reply["attempts"] = self.attempts.take()
        reply["written"] = sorted(name for name, stamp in calls.listing(Path.cwd()).items()
                                  if cwd_before.get(name) != stamp)[:50]
        return reply, encoder.blobs

    # ------------------------------------------------------------------ figures

    def _mirror_in(self, request, blobs, registry) -> dict:
        """Rebuild the judge's figures; {key: was it managed by pyplot}."""
        sent = request.get("figures") or []
        if not sent and not figures.pyplot_loaded():
            return {}
        import matplotlib.pyplot as plt
        from matplotlib.figure import Figure

        figures.remember_legend_handles()
        plt.close("all")
        calls.count_show(plt)
        decoder = codec.Decoder(blobs, trusted=True)
        kinds = {}
        for item in sent:
            figure = plt.figure(item["num"]) if item.get("num") is not None else Figure()
            figures.apply(figure, item["desc"], decoder.array)
            registry.add(item["key"], figure)
            kinds[item["key"]] = item.get("num") is not None
        current = request.get("current")
        if current in registry.by_key and kinds.get(current):
            plt.figure(registry.by_key[current].number)
        return kinds

    def _mirror_out(self, registry, sent, encoder) -> dict:
        if not figures.pyplot_loaded():
            return {}
        import matplotlib.pyplot as plt

        managed, active = figures.managed()
        for figure in managed.values():
            registry.key(figure)
        described = []
        for key, figure in list(registry.by_key.items()):
            number = next((num for num, f in managed.items() if f is figure), None)
            described.append({"key": key, "num": number, "desc": figures.describe(figure, encoder.encode)})
        closed = [key for key, was_managed in sent.items()
                  if was_managed and all(f is not registry.by_key[key] for f in managed.values())]
        return {"figures": described, "closed": closed, "shown": getattr(plt, "_kata_shown", 0),
                "current": registry.key(managed[active]) if active in managed else None}

    # ------------------------------------------------------------------ callbacks to the judge

    def _callback_maker(self):
        def make(node):
            if node.get("keras"):
                return calls.keras_relay(self, node)

            def relay(*args, **kwargs):
                return self.ask_judge(node["id"], None, args, kwargs)

            return relay

        return make

    def ask_judge(self, callback_id, method, args, kwargs, model=None):
        """Run one of the test's callbacks in the judge and return what it returned."""
        encoder = codec.Encoder(strict=False)
        header = {"kind": "callback", "id": callback_id, "method": method,
                  "args": encoder.encode(list(args)), "kwargs": encoder.encode(dict(kwargs))}
        if model is not None:
            header["model"] = calls.model_update(model, encoder)
        was_active, self.attempts.active = self.attempts.active, False
        try:
            self.channel.send(header, encoder.blobs)
            while True:
                reply, blobs = self.channel.receive()
                if reply.get("kind") == "callback_result":
                    return codec.Decoder(blobs, trusted=True).decode(reply.get("value"))
                if reply.get("kind") == "callback_error":
                    raise RuntimeError("a callback of the test failed; the test reports why")
                self.handle(reply, blobs)      # a nested request while the callback ran
        finally:
            self.attempts.active = was_active

    # ------------------------------------------------------------------ errors

    def describe_error(self, err: BaseException) -> dict:
        from kata.stubs import is_stub_error, stub_step

        kind = type(err)
        frames = [[Path(f.filename).name, f.lineno, f.name, (f.line or "").strip()]
                  for f in traceback.extract_tb(err.__traceback__) if self._is_learner(f.filename)]
        text = _safe_str(err)
        return {
            "type": kind.__qualname__, "module": kind.__module__,
            "bases": [c.__qualname__ for c in kind.__mro__ if c.__module__ == "builtins"],
            "message": text[:ERROR_CHARS] + ("…" if len(text) > ERROR_CHARS else ""),
            "frames": frames[-8:], "stub": is_stub_error(err), "stub_step": stub_step(err),
            "exit_code": str(err.code)[:200] if isinstance(err, SystemExit) else None,
            "errno": getattr(err, "errno", None) if isinstance(err, OSError) else None,
        }

    def _is_learner(self, filename) -> bool:
        try:
            return str(Path(filename).resolve()) in self.learner_files
        except (OSError, ValueError):
            return False


def _recorded(attempts, body):
    with attempts.recording():
        body()


def _safe_str(err) -> str:
    try:
        return str(err)
    except Exception:  # a learner's exception whose __str__ fails
        return f"<{type(err).__name__} whose message cannot be printed>"


# --------------------------------------------------------------------------- the process


def set_limits(memory_mb: int, output_mb: int) -> None:
    """Hard limits, so the learner's code cannot raise them again: address space, file size, no cores."""
    if memory_mb:
        size = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
    if output_mb:
        size = output_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def preload(names) -> None:
    """Import the libraries the learner's modules will import (TensorFlow takes seconds) before any
    request needs them. A library that fails here leaves its traceback in the process's stderr (kept
    for crash diagnoses) and no half-imported modules behind: the learner's own import of it then
    fails as it would have."""
    for name in names:
        before = set(sys.modules)
        try:
            importlib.import_module(name)
        except Exception:
            traceback.print_exc(file=sys.__stderr__)
            for added in set(sys.modules) - before:
                if added == name or added.startswith(name + "."):
                    del sys.modules[added]


def serve_channel(channel: Channel, memory_mb: int, output_mb: int, attempts: Attempts) -> int:
    """Be a worker on `channel` until the judge says goodbye; the exit code. The limits apply from
    here on: the libraries imported before (TensorFlow's address-space reservations) are ours."""
    set_limits(memory_mb, output_mb)
    worker = Worker(channel, output_mb * 1_000_000, attempts)
    try:
        worker.serve()
        return 0
    except BaseException as err:  # the worker's own machinery failed (out of memory while encoding?)
        print(f"the worker failed: {type(err).__name__}: {err}", file=sys.__stderr__)
        return 3


def parse(argv):
    parser = argparse.ArgumentParser(prog="kata.worker.server", allow_abbrev=False)
    parser.add_argument("--channel-fd", type=int, help="serve one judge on this socket")
    parser.add_argument("--zygote", action="store_true", help="fork a fresh worker per request of the control socket")
    parser.add_argument("--control-fd", type=int)
    parser.add_argument("--memory-mb", type=int, default=0)
    parser.add_argument("--output-mb", type=int, default=OUTPUT_MB)
    parser.add_argument("--read-root", action="append", default=[])
    parser.add_argument("--write-root", action="append", default=[])
    parser.add_argument("--preload", action="append", default=[],
                        help="a library to import before the first request (e.g. tensorflow)")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse(argv)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    faulthandler.enable(file=sys.__stderr__)
    attempts = Attempts([*args.read_root, sys.prefix, sys.base_prefix, "/usr", "/proc/self", "/dev/null", "/etc"],
                        args.write_root)
    sys.addaudithook(attempts)
    import numpy  # noqa: F401  (every value crosses through it)

    if args.zygote:
        from kata.worker import zygote

        code = zygote.serve(args.control_fd, args.preload, attempts)
    else:
        code = _single(args, attempts)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # skip teardown: TensorFlow's can be slow, and atexit hooks are the learner's


def _single(args, attempts) -> int:
    channel = Channel(args.channel_fd, args.channel_fd)
    channel.send({"kind": "ready"})      # before any learner code: a death until here is ours
    preload(args.preload)
    return serve_channel(channel, args.memory_mb, args.output_mb, attempts)


if __name__ == "__main__":
    main()
