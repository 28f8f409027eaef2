"""Values across the judge/worker boundary, as JSON nodes and binary blobs.

What crosses, and what each side gets back:

| value | node | rebuilt as |
|---|---|---|
| None, bool, int, str, finite float | itself | itself |
| nan, ±inf, complex, bytes | `{"$": "float"}`, `"complex"`, `"bytes"` | the same value |
| list, tuple, dict, set | `{"$": "list" / "tuple" / "dict" / "set", "v": …}` | the same container |
| NumPy array or scalar | dtype, shape and the raw bytes as a blob | an array or scalar (numeric dtypes only) |
| tf.Tensor, tf.Variable | the same, plus trainable and name for a Variable | tf.constant, tf.Variable |
| keras.Model | its JSON config, weights and compile settings | rebuilt from a checked config of Keras's own classes, compiled from names in fixed tables (`keras_plain`) |
| keras History | history, params, epochs and its model | a keras.callbacks.History |
| matplotlib Figure, Axes, pyplot | a reference into the figures mirrored with the message (`figures.py`) | the mirrored figure or axes |
| a judge callable or keras Callback | an id | a proxy that asks the judge to run it |
| `InputFolder`, `OutputFile` | files carried across | a private path on the worker's side |
| an object the judge sent, returned as is | `{"$": "arg", "i": n}` | the judge's own object |
| anything else (worker side) | its type name and a short repr | `Opaque`, which tests can name |

Every size and depth is bounded on decoding, and nothing is ever unpickled.
"""

import math
import sys
from dataclasses import dataclass
from pathlib import Path

from kata.judging.limits import MAX_ARRAY_DIMENSION, MAX_ARRAY_RANK

MAX_DEPTH = 64
MAX_NODES = 2_000_000
NUMERIC_DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                  "float16", "float32", "float64", "complex64", "complex128"}


class CodecError(ValueError):
    """A value cannot cross, or a node is malformed; the message says which and why."""


@dataclass(frozen=True)
class Opaque:
    """A value the learner's code returned that cannot cross the boundary: its type and a short repr."""

    type_name: str
    text: str

    def __repr__(self):
        return f"<{self.type_name}: {self.text}>"


@dataclass(frozen=True)
class InputFolder:
    """A folder the learner's code reads (e.g. tiny dataset files): its files are carried across."""

    path: Path
    max_bytes: int = 64 * 1024 * 1024

    def __str__(self):
        return str(self.path)


@dataclass(frozen=True)
class OutputFile:
    """A file the learner's code may write (e.g. `path=` of print_results); copied back after the call."""

    path: Path

    def __str__(self):
        return str(self.path)


def _tf():
    return sys.modules.get("tensorflow")


def _keras():
    return sys.modules.get("keras")


def _mpl_figure_types():
    if "matplotlib.figure" not in sys.modules:
        return None, None
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    return Figure, Axes


class Encoder:
    """Turns values into nodes; collects blobs, figures, callbacks and argument identities."""

    def __init__(self, *, figures=None, callbacks=None, arg_ids=None, strict=True, files=None, objects=None):
        self.blobs = []
        self.figures = figures          # a figures.Registry, or None when figures cannot cross
        self.callbacks = callbacks      # judge side: list of callables by id
        self.arg_ids = arg_ids or {}    # worker side: id(object) → the ref the judge gave it
        self.strict = strict            # judge side: an unknown value is a bug in the test
        self.files = files              # judge side: list of OutputFile targets by id
        self.objects = objects          # judge side: the mutable objects sent, by ref

    def _ref(self, node: dict, value) -> dict:
        """Judge side: number a mutable object, so the worker can return it or report its changes."""
        if self.objects is not None:
            self.objects.append(value)
            node["ref"] = len(self.objects) - 1
        return node

    def blob(self, data) -> int:
        self.blobs.append(data)
        return len(self.blobs) - 1

    def encode(self, value, depth=0):
        if depth > MAX_DEPTH:
            raise CodecError(f"a value nests deeper than {MAX_DEPTH} levels")
        if id(value) in self.arg_ids and not isinstance(value, (bool, int, float, str, type(None))):
            return {"$": "arg", "i": self.arg_ids[id(value)]}
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int) and type(value) is int:
            return value
        if type(value) is float:
            return value if math.isfinite(value) else {"$": "float", "v": repr(value)}
        if isinstance(value, complex):
            return {"$": "complex", "v": [value.real, value.imag]}
        if isinstance(value, (bytes, bytearray)):
            return {"$": "bytes", "b": self.blob(bytes(value))}
        if isinstance(value, (list, tuple, set, frozenset, range)):
            kind = "tuple" if isinstance(value, tuple) and type(value) is tuple else (
                "set" if isinstance(value, (set, frozenset)) else "list")
            node = {"$": kind, "v": [self.encode(item, depth + 1) for item in value]}
            return self._ref(node, value) if isinstance(value, list) else node
        if isinstance(value, dict):
            node = {"$": "dict", "v": [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in value.items()]}
            return self._ref(node, value)
        node = self._encode_special(value, depth)
        if node is not None:
            return node
        if self.strict:
            raise CodecError(f"a test passed a {type(value).__module__}.{type(value).__qualname__}, which cannot "
                             f"be sent to the code under test")
        return {"$": "opaque", "type": _type_name(value), "text": _short_repr(value)}

    def _encode_special(self, value, depth):
        import numpy as np

        if isinstance(value, InputFolder):
            return {"$": "input_folder", "files": self._folder_files(value)}
        if isinstance(value, OutputFile):
            self.files.append(value)
            return {"$": "output_file", "id": len(self.files) - 1, "name": Path(value.path).name}
        if isinstance(value, np.ndarray):
            return self._ref(self.array_node("array", value), value)
        if isinstance(value, np.generic):
            return self.array_node("scalar", np.asarray(value))
        tf = _tf()
        if tf is not None:
            if isinstance(value, tf.Variable):
                node = self.array_node("variable", value.numpy())
                node.update(trainable=bool(value.trainable), name=value.name.split(":")[0])
                return self._ref(node, value)
            if tf.is_tensor(value) and hasattr(value, "numpy"):
                if value.dtype == tf.string:
                    return None
                return self.array_node("tensor", value.numpy())
        keras = _keras()
        if keras is not None:
            from kata.worker import keras_plain

            if isinstance(value, keras.Model):
                return self._ref(keras_plain.encode_model(value, self), value)
            if isinstance(value, keras.callbacks.History):
                return {"$": "history", "history": self.encode(dict(value.history), depth + 1),
                        "params": self.encode(dict(value.params or {}), depth + 1),
                        "epoch": self.encode(list(value.epoch), depth + 1),
                        "model": self.encode(getattr(value, "model", None), depth + 1)
                        if isinstance(getattr(value, "model", None), keras.Model) else None}
            if isinstance(value, keras.callbacks.Callback) and self.callbacks is not None:
                return self._callback(value, keras=True)
        if type(value).__name__ == "module" and getattr(value, "__name__", "") == "matplotlib.pyplot":
            return {"$": "pyplot"}
        figure_type, axes_type = _mpl_figure_types()
        if figure_type is not None and self.figures is not None:
            if isinstance(value, figure_type):
                return {"$": "figure", "key": self.figures.key(value)}
            if isinstance(value, axes_type) and value.figure is not None and value in value.figure.axes:
                return {"$": "axes", "key": self.figures.key(value.figure), "index": value.figure.axes.index(value)}
        if callable(value) and self.callbacks is not None and not isinstance(value, type):
            return self._callback(value, keras=False)
        return None

    def array_node(self, kind, array):
        import numpy as np

        dtype = array.dtype.newbyteorder("=") if array.dtype.byteorder not in "=|" else array.dtype
        if dtype.name not in NUMERIC_DTYPES:
            if self.strict:
                raise CodecError(f"an array of dtype {array.dtype} cannot be sent to the code under test")
            return {"$": "opaque", "type": f"numpy array of {array.dtype}", "text": _short_repr(array)}
        data = np.asarray(array, dtype=dtype, order="C")   # (ascontiguousarray would make a 0-d array 1-d)
        return {"$": kind, "dtype": dtype.name, "shape": list(data.shape), "b": self.blob(data.tobytes())}

    def _callback(self, value, keras):
        self.callbacks.append(value)
        node = {"$": "callback", "id": len(self.callbacks) - 1, "keras": keras}
        if keras:
            import keras as keras_module

            base = keras_module.callbacks.Callback
            node["hooks"] = sorted(name for name in dir(type(value)) if name.startswith("on_")
                                   and getattr(type(value), name) is not getattr(base, name, None))
        return node

    def _folder_files(self, folder: InputFolder) -> list:
        files, total = [], 0
        for path in sorted(Path(folder.path).rglob("*")):
            if path.is_file() and not path.is_symlink():
                data = path.read_bytes()
                total += len(data)
                if total > folder.max_bytes:
                    raise CodecError(f"{folder.path} holds more than {folder.max_bytes} bytes to carry across")
                files.append([path.relative_to(folder.path).as_posix(), self.blob(data)])
        return files


def _type_name(value) -> str:
    kind = type(value)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def _short_repr(value, limit=160) -> str:
    try:
        text = repr(value)
    except Exception:  # a learner's object whose __repr__ fails
        text = object.__repr__(value)
    return text if len(text) <= limit else text[:limit] + "…"


class Decoder:
    """Turns nodes back into values; the side decides what figures, callbacks and files become."""

    def __init__(self, blobs, *, figures=None, make_callback=None, args=None, input_root=None,
                 output_root=None, trusted=False):
        self.blobs = blobs
        self.figures = figures            # a figures.Registry
        self.make_callback = make_callback  # worker side: node → proxy
        self.args = args                  # judge side: the call's arguments by index
        self.input_root = input_root      # worker side: where InputFolders are written
        self.output_root = output_root    # worker side: where OutputFiles are written
        self.trusted = trusted            # worker side: nodes come from the judge
        self.nodes = 0
        self.outputs = {}                 # worker side: output id → path given to the code
        self.refs = {}                    # worker side: ref → the object made for the judge's object

    def decode(self, node, depth=0):
        self.nodes += 1
        if self.nodes > MAX_NODES or depth > MAX_DEPTH:
            raise CodecError(f"a value has more than {MAX_NODES} parts or nests deeper than {MAX_DEPTH} levels")
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if not isinstance(node, dict) or not isinstance(node.get("$"), str):
            raise CodecError(f"malformed value node: {_short_repr(node)}")
        kind = node["$"]
        handler = getattr(self, f"_decode_{kind}", None)
        if handler is None:
            raise CodecError(f"unknown value kind {kind!r}")
        value = handler(node, depth)
        if self.trusted and isinstance(node.get("ref"), int):
            self.refs[node["ref"]] = value
        return value

    def _items(self, node, depth):
        items = node.get("v")
        if not isinstance(items, list):
            raise CodecError("malformed container node")
        return [self.decode(item, depth + 1) for item in items]

    def _decode_list(self, node, depth):
        return self._items(node, depth)

    def _decode_tuple(self, node, depth):
        return tuple(self._items(node, depth))

    def _decode_set(self, node, depth):
        try:
            return set(self._items(node, depth))
        except TypeError:
            return self._items(node, depth)

    def _decode_dict(self, node, depth):
        pairs = node.get("v")
        if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
            raise CodecError("malformed dict node")
        out = {}
        for key, value in pairs:
            key = self.decode(key, depth + 1)
            try:
                hash(key)
            except TypeError:
                raise CodecError("a dict key is not hashable") from None
            out[key] = self.decode(value, depth + 1)
        return out

    def _decode_float(self, node, depth):
        if node.get("v") not in ("nan", "inf", "-inf"):
            raise CodecError("malformed float node")
        return float(node["v"])

    def _decode_complex(self, node, depth):
        real, imag = node.get("v", [None, None])
        if not all(isinstance(x, (int, float)) for x in (real, imag)):
            raise CodecError("malformed complex node")
        return complex(real, imag)

    def _blob(self, node):
        index = node.get("b")
        if not isinstance(index, int) or not 0 <= index < len(self.blobs):
            raise CodecError("a value points at a blob that is not there")
        return self.blobs[index]

    def _decode_bytes(self, node, depth):
        return bytes(self._blob(node))

    def array(self, node):
        import numpy as np

        dtype, shape = node.get("dtype"), node.get("shape")
        if dtype not in NUMERIC_DTYPES or not isinstance(shape, list) or len(shape) > MAX_ARRAY_RANK \
                or not all(type(d) is int and 0 <= d <= MAX_ARRAY_DIMENSION for d in shape):
            raise CodecError(f"malformed array node (dtype {str(dtype)[:20]!r}, shape {_short_repr(shape, 80)})")
        data = self._blob(node)
        expected = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
        if len(data) != expected:
            raise CodecError(f"an array of shape {tuple(shape)} and dtype {dtype} came with {len(data)} bytes")
        return np.frombuffer(data, dtype=dtype).reshape(shape).copy()

    def _decode_array(self, node, depth):
        return self.array(node)

    def _decode_scalar(self, node, depth):
        return self.array(node)[()]

    def _decode_tensor(self, node, depth):
        from kata import quiet

        return quiet.tensorflow().constant(self.array(node))

    def _decode_variable(self, node, depth):
        tf = __import__("kata.quiet", fromlist=["tensorflow"]).tensorflow()
        name = node.get("name") if isinstance(node.get("name"), str) else None
        return tf.Variable(self.array(node), trainable=bool(node.get("trainable", True)), name=name or None)

    def _decode_model(self, node, depth):
        from kata.worker import keras_plain

        return keras_plain.decode_model(node, self)

    def _decode_history(self, node, depth):
        from kata import quiet

        quiet.tensorflow()
        import keras

        history = keras.callbacks.History()
        history.history = self.decode(node.get("history"), depth + 1)
        history.params = self.decode(node.get("params"), depth + 1)
        history.epoch = self.decode(node.get("epoch"), depth + 1)
        model = self.decode(node.get("model"), depth + 1) if node.get("model") is not None else None
        if isinstance(model, keras.Model):
            history.set_model(model)
        if not isinstance(history.history, dict):
            raise CodecError("a History without a history dict")
        return history

    def _decode_pyplot(self, node, depth):
        import matplotlib.pyplot as plt

        return plt

    def _decode_figure(self, node, depth):
        if self.figures is None:
            raise CodecError("a figure came where none was mirrored")
        return self.figures.figure(node.get("key"))

    def _decode_axes(self, node, depth):
        figure = self._decode_figure(node, depth)
        index = node.get("index")
        if not isinstance(index, int) or not 0 <= index < len(figure.axes):
            raise CodecError("a reference to axes that the figure does not have")
        return figure.axes[index]

    def _decode_arg(self, node, depth):
        index = node.get("i")
        if self.args is None or not isinstance(index, int) or not 0 <= index < len(self.args):
            raise CodecError("a reference to an argument that was not given")
        return self.args[index]

    def _decode_opaque(self, node, depth):
        return Opaque(str(node.get("type", "?"))[:200], str(node.get("text", ""))[:400])

    def _decode_callback(self, node, depth):
        if self.make_callback is None or not self.trusted:
            raise CodecError("a callback can only be sent to the code under test")
        return self.make_callback(node)

    def _decode_input_folder(self, node, depth):
        if not self.trusted or self.input_root is None:
            raise CodecError("an input folder can only be sent to the code under test")
        folder = Path(self.input_root) / f"folder{len(list(Path(self.input_root).glob('folder*')))}"
        for rel, blob in node.get("files", []):
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(self.blobs[blob])
        folder.mkdir(parents=True, exist_ok=True)
        return str(folder)

    def _decode_output_file(self, node, depth):
        if not self.trusted or self.output_root is None:
            raise CodecError("an output file can only be sent to the code under test")
        folder = Path(self.output_root) / f"out{node['id']}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / Path(str(node.get("name", "file"))).name
        self.outputs[node["id"]] = path
        return path
