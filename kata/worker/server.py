"""The worker: the only process that imports and runs the learner's code.

Started by `kata.worker.client` (inside a sandbox when grading), it reads requests from its
channel — load a module, call one of its functions, say goodbye — and answers each with a result
or with the learner's exception (type, message, and the learner's own frames only). Arguments,
results, changed Variables, arrays and models, figures and files cross as described in `codec.py`.
Whatever this process sends is treated by the judge as untrusted: it can lie only about what the
learner's code returned, which is the learner's to decide anyway.

    python -I -S -c "<bootstrap>" --read-fd R --write-fd W [--memory-mb M] [--output-mb O] [--read-root P]…
"""

import argparse
import faulthandler
import hashlib
import importlib
import importlib.util
import io
import os
import random
import resource
import sys
import traceback
import types
from pathlib import Path

from kata.worker import codec, figures
from kata.worker.protocol import Channel, ChannelClosed

OUTPUT_KEEP = 2000          # characters of a call's printed output sent back
ERROR_CHARS = 2000          # characters of an exception message sent back
MAX_ATTEMPTS = 50


class OutputLimit(io.TextIOBase):
    """stdout/stderr during a call: keeps the first OUTPUT_KEEP characters and raises EFBIG after
    `limit` characters, the same error the file-size limit gives a file that grows too much."""

    def __init__(self, limit: int):
        self.limit, self.count, self.kept = limit, 0, []

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        self.count += len(text)
        if self.count > self.limit:
            import errno

            raise OSError(errno.EFBIG, f"the output limit of {self.limit // 1_000_000} MB was reached")
        if sum(map(len, self.kept)) < OUTPUT_KEEP:
            self.kept.append(text)
        return len(text)

    def text(self) -> str:
        text = "".join(self.kept)
        return text[:OUTPUT_KEEP] + (f"\n… ({self.count - OUTPUT_KEEP} characters cut)" if self.count > OUTPUT_KEEP else "")


class Attempts:
    """What the learner's code tried that it should not need (an audit hook; a record, not a guard:
    the sandbox is what stops them). Only recorded while the learner's code runs."""

    WATCHED = {"socket.connect", "socket.bind", "subprocess.Popen", "os.system", "os.fork", "os.forkpty",
               "os.exec", "os.posix_spawn", "os.spawn", "os.kill", "os.killpg", "ctypes.dlopen", "os.remove",
               "os.rename", "os.rmdir", "shutil.rmtree", "os.chmod", "os.symlink", "os.link", "sys.addaudithook"}

    def __init__(self, allowed_reads, allowed_writes):
        self.active = False
        self.seen = []
        self.allowed_reads = tuple(str(p) for p in allowed_reads)
        self.allowed_writes = tuple(str(p) for p in allowed_writes)

    def __call__(self, event, args):
        if not self.active or len(self.seen) >= MAX_ATTEMPTS:
            return
        if event == "open":
            path, mode = str(args[0]) if args else "", args[1] if len(args) > 1 else "r"
            if not path.startswith("/"):
                return
            writing = isinstance(mode, str) and any(c in mode for c in "wax+")
            if (writing and not path.startswith(self.allowed_writes)) or not path.startswith(self.allowed_reads):
                self._note(f"open({path!r}, {mode!r})")
        elif event in self.WATCHED or event.split(".")[0] == "socket" and event != "socket.__new__":
            if event in ("os.remove", "os.rename", "os.rmdir", "os.chmod", "shutil.rmtree") and args and \
                    str(args[0]).startswith(self.allowed_writes):
                return
            if self._harmless(event, args):
                return
            self._note(f"{event}{tuple(str(a)[:120] for a in args[:2])}")

    @staticmethod
    def _harmless(event, args) -> bool:
        """What the libraries do on their own: a loopback socket probe (IPv6 support), `uname -p`
        (platform.processor())."""
        if event.startswith("socket.") and len(args) > 1 and isinstance(args[1], tuple) and args[1] and \
                str(args[1][0]) in ("::1", "127.0.0.1", "localhost", "", "::", "0.0.0.0"):
            return True
        return event == "subprocess.Popen" and len(args) > 1 and list(args[1])[:1] == ["uname"]

    def _note(self, text):
        if text not in self.seen:
            self.seen.append(text)

    def take(self) -> list:
        seen, self.seen = self.seen, []
        return seen


class Worker:
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
        """Execute a module file under a private name, with its dependencies visible as plain imports."""
        try:
            deps = {}
            guards = request.get("guards") or {}
            for name, path, *source in request.get("deps", []):   # dependencies first: each sees those before
                deps[name] = _guarded(self._module(name, path, dict(deps), source[0] if source else None),
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
        key = self._key(request["path"], deps)
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
        return ({"kind": "loaded", "key": key, "functions": functions, "constants": constants,
                 "attempts": self.attempts.take()}, encoder.blobs)

    def _key(self, path, deps, source=None) -> str:
        data = source.encode("utf-8") if source is not None else Path(path).read_bytes()
        digest = hashlib.sha1(data).hexdigest()[:16]
        return f"{path}@{digest}+" + ",".join(f"{n}:{id(m)}" for n, m in sorted(deps.items()))

    def _module(self, name, path, deps, source=None):
        """A module from its file, or from `source` (a reference the judge sent: it exists only in
        memory, never as a file the learner's code could open)."""
        key = self._key(path, deps, source)
        if key not in self.modules:
            if source is None:
                spec = importlib.util.spec_from_file_location(f"kata_learner_{len(self.modules)}.{name}", path)
                module = importlib.util.module_from_spec(spec)
                run = spec.loader.exec_module
            else:
                module = types.ModuleType(name)
                code = compile(source, f"<reference {name}>", "exec")
                run = lambda mod: exec(code, mod.__dict__)  # noqa: E731
            saved = {n: sys.modules.get(n) for n in deps}
            sys.modules.update(deps)
            self.attempts.active = True
            try:
                run(module)
            finally:
                self.attempts.active = False
                for n, old in saved.items():
                    if old is None:
                        sys.modules.pop(n, None)
                    else:
                        sys.modules[n] = old
            self.modules[key] = module
        return self.modules[key]

    # ------------------------------------------------------------------ calling

    def call(self, request, blobs):
        module = self.modules.get(request.get("key"))
        if module is None:
            return ({"kind": "error", "error": {"type": "ProtocolError", "message": "call to a module not loaded"}},)
        self.calls += 1
        _seed(int(request.get("seed", 0)))
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
        before = {ref: _state(obj) for ref, obj in decoder.refs.items()}
        cwd_before = _listing(Path.cwd())
        undo = _patch(request, decoder)
        output = OutputLimit(self.output_limit)
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = output
        dump_after = float(request.get("dump_after") or 0)
        if dump_after > 0:
            faulthandler.dump_traceback_later(dump_after, exit=False, file=sys.__stderr__)
        self.attempts.active = True
        value, error = None, None
        try:
            value = getattr(module, request["function"])(*args, **kwargs)
        except BaseException as err:  # everything the learner's code can raise is reported, nothing escapes
            error = err
        finally:
            self.attempts.active = False
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
        reply["updates"] = self._updates(decoder.refs, before, encoder)
        reply.update(self._mirror_out(registry, sent_figures, encoder))
        reply["outputs"] = [[ref, encoder.blob(path.read_bytes())] for ref, path in decoder.outputs.items()
                            if path.is_file() and path.stat().st_size <= self.output_limit]
        reply["attempts"] = self.attempts.take()
        reply["written"] = sorted(name for name, stamp in _listing(Path.cwd()).items() if cwd_before.get(name) != stamp)[:50]
        return reply, encoder.blobs

    def _updates(self, refs, before, encoder) -> list:
        updates = []
        for ref, obj in refs.items():
            now = _state(obj)
            if now is None or _same_state(before[ref], now):
                continue
            try:
                node = _model_update(obj, encoder) if _is_model(obj) else _value_node(obj, encoder)
            except codec.CodecError as err:   # e.g. compile settings that cannot be sent
                node = {"$": "model_state", "error": str(err)}
            updates.append({"ref": ref, "value": node})
        return updates

    # ------------------------------------------------------------------ figures

    def _mirror_in(self, request, blobs, registry) -> dict:
        """Rebuild the judge's figures; {key: was it managed by pyplot}."""
        sent = request.get("figures") or []
        if not sent and not figures.pyplot_loaded():
            return {}
        import matplotlib.pyplot as plt

        figures.remember_legend_handles()
        plt.close("all")
        _count_show(plt)
        decoder = codec.Decoder(blobs, trusted=True)
        from matplotlib.figure import Figure

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
            described.append({"key": key, "num": number, "desc": figures.describe(figure, lambda a: encoder.encode(a))})
        closed = [key for key, was_managed in sent.items()
                  if was_managed and all(f is not registry.by_key[key] for f in managed.values())]
        return {"figures": described, "closed": closed, "shown": getattr(plt, "_kata_shown", 0),
                "current": registry.key(managed[active]) if active in managed else None}

    # ------------------------------------------------------------------ callbacks to the judge

    def _callback_maker(self):
        def make(node):
            if node.get("keras"):
                return _keras_relay(self, node)

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
            header["model"] = _model_update(model, encoder)
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
        frames = [[self._display(f.filename), f.lineno, f.name, (f.line or "").strip()]
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

    def _display(self, filename) -> str:
        return Path(filename).name


def _safe_str(err) -> str:
    try:
        return str(err)
    except Exception:  # a learner's exception whose __str__ fails
        return f"<{type(err).__name__} whose message cannot be printed>"


def _listing(folder: Path) -> dict:
    """{name: (size, mtime)} of the files directly in `folder`: what a call wrote in its working folder."""
    found = {}
    try:
        for entry in os.scandir(folder):
            if entry.is_file(follow_symlinks=False):
                info = entry.stat(follow_symlinks=False)
                found[entry.name] = (info.st_size, info.st_mtime_ns)
    except OSError:
        pass
    return found


def _guarded(module, ranks: dict):
    """A view of a dependency whose functions check the ranks of their arguments before running:
    TensorFlow aborts the whole process on, say, a (batch, 784) input to a convolution, and the
    learner must read which call went wrong instead."""
    if not ranks:
        return module
    import functools
    import inspect

    from kata.i18n import t

    view = types.ModuleType(module.__name__)
    view.__dict__.update(module.__dict__)
    for function, arguments in ranks.items():
        original = getattr(module, function, None)
        if original is None:
            continue
        signature = inspect.signature(original)

        @functools.wraps(original)
        def checked(*args, _original=original, _signature=signature, _arguments=arguments, _name=function, **kwargs):
            import numpy as np

            bound = _signature.bind_partial(*args, **kwargs)
            for argument, rank in _arguments.items():
                if argument in bound.arguments:
                    shape = tuple(np.shape(bound.arguments[argument]))
                    if len(shape) != rank:
                        raise ValueError(t(
                            f"{_name} recibió {argument} con forma {shape} ({len(shape)} dimensiones) y necesita "
                            f"{rank}: (lote, alto, ancho, canales). Dale esa forma con tf.reshape antes de llamarla.",
                            f"{_name} received {argument} shaped {shape} ({len(shape)} dimensions) and needs "
                            f"{rank}: (batch, height, width, channels). Give it that shape with tf.reshape before "
                            f"calling it."))
            return _original(*args, **kwargs)

        setattr(view, function, checked)
    return view


def _patch(request, decoder):
    """Apply the test's patches (module attributes, environment variables) for one call; returns
    the function that undoes them."""
    import importlib

    undo = []
    for module_name, attribute, node in request.get("patches") or []:
        module = importlib.import_module(str(module_name))
        missing = object()
        undo.append((setattr, module, attribute, getattr(module, attribute, missing), missing))
        setattr(module, attribute, decoder.decode(node))
    for name, value in (request.get("env") or {}).items():
        undo.append((os.environ.__setitem__, os.environ, name, os.environ.get(name), None))
        os.environ[str(name)] = str(value)

    def restore():
        for kind, target, key, old, missing in reversed(undo):
            if kind is setattr:
                if old is missing:
                    delattr(target, key)
                else:
                    setattr(target, key, old)
            elif old is None:
                target.pop(key, None)
            else:
                target[key] = old

    return restore


def _seed(seed: int) -> None:
    """Every call starts from the same random state: a test gives the same verdict every run."""
    random.seed(seed)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(seed % 2**32)
    if "tensorflow" in sys.modules:
        sys.modules["tensorflow"].random.set_seed(seed)


def _count_show(plt) -> None:
    """plt.show() in the learner's code is counted (the judge replays it), never blocks."""
    plt._kata_shown = 0

    def show(*args, **kwargs):
        plt._kata_shown += 1

    plt.show = show


def _is_model(obj) -> bool:
    keras = sys.modules.get("keras")
    return keras is not None and isinstance(obj, keras.Model)


def _state(obj):
    """A copy of what a call may change in an object the judge sent (None: nothing tracked)."""
    import numpy as np

    if isinstance(obj, np.ndarray):
        return obj.copy()
    tf = sys.modules.get("tensorflow")
    if tf is not None and isinstance(obj, tf.Variable):
        return obj.numpy().copy()
    if _is_model(obj):
        from kata.worker import keras_safe

        return keras_safe.state(obj)
    return None


def _same_state(a, b) -> bool:
    import numpy as np

    if isinstance(a, tuple):
        weights_a, compile_a = a
        weights_b, compile_b = b
        return compile_a == compile_b and len(weights_a) == len(weights_b) and all(
            x.shape == y.shape and np.array_equal(x, y) for x, y in zip(weights_a, weights_b))
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)


def _value_node(obj, encoder):
    """The node of an array's or Variable's value, not a reference to it."""
    import numpy as np

    value = obj if isinstance(obj, np.ndarray) else obj.numpy()
    return encoder._array("array", value)


def _model_update(model, encoder) -> dict:
    from kata.worker import keras_safe

    weights, _ = keras_safe.state(model)
    return {"$": "model_state", "weights": [encoder._array("array", w) for w in weights],
            "compile": keras_safe.compile_settings(model)}


def _keras_relay(worker, node):
    """A keras Callback whose hooks run the test's own callback in the judge."""
    import keras

    epoch_level = {"on_epoch_end", "on_train_end"}

    def hook(name):
        def method(self, *args, **kwargs):
            model = self.model if name in epoch_level and isinstance(getattr(self, "model", None), keras.Model) else None
            payload = {"params": dict(self.params or {})} if name == "on_train_begin" else {}
            return worker.ask_judge(node["id"], name, args, {**kwargs, **payload}, model=model)
        return method

    hooks = [h for h in node.get("hooks", []) if isinstance(h, str) and h.startswith("on_")]
    relay = type("JudgeCallback", (keras.callbacks.Callback,), {name: hook(name) for name in hooks})
    return relay()


def _limits(memory_mb: int, output_mb: int) -> None:
    """Hard limits, so the learner's code cannot raise them again: address space, file size, no cores."""
    if memory_mb:
        size = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
    if output_mb:
        size = output_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _preload(names) -> None:
    """Import the libraries the learner's modules will import (TensorFlow takes seconds), so that it
    happens while the judge is still collecting its tests rather than at the first test. A library
    that fails here leaves its traceback in the worker's stderr (kept for crash diagnoses) and no
    half-imported modules behind: the learner's own import of it then fails as it would have."""
    for name in names:
        before = set(sys.modules)
        try:
            importlib.import_module(name)
        except Exception:
            traceback.print_exc(file=sys.__stderr__)
            for added in set(sys.modules) - before:
                if added == name or added.startswith(name + "."):
                    del sys.modules[added]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="kata.worker.server", allow_abbrev=False)
    parser.add_argument("--read-fd", type=int, required=True)
    parser.add_argument("--write-fd", type=int, required=True)
    parser.add_argument("--memory-mb", type=int, default=0)
    parser.add_argument("--output-mb", type=int, default=64)
    parser.add_argument("--read-root", action="append", default=[])
    parser.add_argument("--write-root", action="append", default=[])
    parser.add_argument("--preload", action="append", default=[],
                        help="a library to import after the greeting, while the judge still collects its tests")
    args = parser.parse_args(argv)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    faulthandler.enable(file=sys.__stderr__)
    _limits(args.memory_mb, args.output_mb)
    attempts = Attempts([*args.read_root, sys.prefix, sys.base_prefix, "/usr", "/proc/self", "/dev/null", "/etc"],
                        args.write_root)
    sys.addaudithook(attempts)
    worker = Worker(Channel(args.read_fd, args.write_fd), args.output_mb * 1_000_000, attempts)
    try:
        import numpy  # noqa: F401  (every value crosses through it: under the limits, or not ready)

        worker.channel.send({"kind": "ready"})    # before any learner code: a death until here is ours
        _preload(args.preload)
        worker.serve()
        code = 0
    except BaseException as err:  # the worker's own machinery failed (out of memory while encoding?)
        print(f"the worker failed: {type(err).__name__}: {err}", file=sys.__stderr__)
        code = 3
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)  # skip teardown: TensorFlow's can be slow, and atexit hooks are the learner's


if __name__ == "__main__":
    main()
