"""The worker's side of one call into the learner's code: what surrounds it (the output limit, the
test's patches, the random seed, counted plt.show) and what it changed in the objects the judge
sent (arrays, Variables, models), reported back as updates.
"""

import errno
import io
import os
import random
import sys
import types
from pathlib import Path

from kata.judging.limits import OUTPUT_CHARS


class OutputLimit(io.TextIOBase):
    """stdout/stderr during a call: keeps the first OUTPUT_CHARS characters and raises EFBIG after
    `limit` characters, the same error the file-size limit gives a file that grows too much."""

    def __init__(self, limit: int):
        self.limit, self.count, self.kept = limit, 0, []

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        self.count += len(text)
        if self.count > self.limit:
            raise OSError(errno.EFBIG, f"the output limit of {self.limit // 1_000_000} MB was reached")
        if sum(map(len, self.kept)) < OUTPUT_CHARS:
            self.kept.append(text)
        return len(text)

    def text(self) -> str:
        text = "".join(self.kept)
        cut = f"\n… ({self.count - OUTPUT_CHARS} characters cut)" if self.count > OUTPUT_CHARS else ""
        return text[:OUTPUT_CHARS] + cut


def listing(folder: Path) -> dict:
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


def patch(request, decoder):
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


def seed(value: int) -> None:
    """Every call starts from the same random state: a test gives the same verdict every run."""
    random.seed(value)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(value % 2**32)
    if "tensorflow" in sys.modules:
        sys.modules["tensorflow"].random.set_seed(value)


def count_show(plt) -> None:
    """plt.show() in the learner's code is counted (the judge replays it), never blocks."""
    plt._kata_shown = 0

    def show(*args, **kwargs):
        plt._kata_shown += 1

    plt.show = show


# --------------------------------------------------------------------------- what a call changed


def is_model(obj) -> bool:
    keras = sys.modules.get("keras")
    return keras is not None and isinstance(obj, keras.Model)


def state(obj):
    """A copy of what a call may change in an object the judge sent (None: nothing tracked)."""
    import numpy as np

    if isinstance(obj, np.ndarray):
        return obj.copy()
    tf = sys.modules.get("tensorflow")
    if tf is not None and isinstance(obj, tf.Variable):
        return obj.numpy().copy()
    if is_model(obj):
        from kata.worker import keras_plain

        return keras_plain.state(obj)
    return None


def same_state(a, b) -> bool:
    import numpy as np

    if isinstance(a, tuple):
        weights_a, compile_a = a
        weights_b, compile_b = b
        return compile_a == compile_b and len(weights_a) == len(weights_b) and all(
            x.shape == y.shape and np.array_equal(x, y) for x, y in zip(weights_a, weights_b))
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)


def updates(refs, before, encoder) -> list:
    """[{"ref", "value"}] for every object the judge sent that the call changed."""
    from kata.worker.codec import CodecError

    found = []
    for ref, obj in refs.items():
        now = state(obj)
        if now is None or same_state(before[ref], now):
            continue
        try:
            node = model_update(obj, encoder) if is_model(obj) else encoder.array_node("array", _value(obj))
        except CodecError as err:   # e.g. compile settings that cannot be sent
            node = {"$": "model_state", "error": str(err)}
        found.append({"ref": ref, "value": node})
    return found


def _value(obj):
    import numpy as np

    return obj if isinstance(obj, np.ndarray) else obj.numpy()


def model_update(model, encoder) -> dict:
    from kata.worker import keras_plain

    weights, settings = keras_plain.state(model, strict=True)
    return {"$": "model_state", "weights": [encoder.array_node("array", w) for w in weights], "compile": settings}


def keras_relay(worker, node):
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


def guarded(module, ranks: dict):
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
