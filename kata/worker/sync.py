"""The judge's side of what a call changed: its figures redrawn, the arrays, Variables and models it
was given updated, the files it wrote copied out, and the test's callbacks run when the worker asks.

Everything here reads a reply of the worker, so everything is checked: a figure by `figures.apply`,
a value by `codec.Decoder`, a model by `keras_plain`. Nothing is imported, executed or unpickled.
"""

from pathlib import Path

from kata.judging.limits import MAX_FIGURES
from kata.worker import codec, figures

MAX_SHOWS = 10


def figures_out(registry):
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


def apply_figures(reply, registry, decoder) -> None:
    described = reply.get("figures") or []
    if not described and not reply.get("shown"):
        return
    if not isinstance(described, list) or len(described) > MAX_FIGURES:
        raise codec.CodecError(f"a call may leave at most {MAX_FIGURES} figures")
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    for item in described:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            raise codec.CodecError("a figure without a key")
        key = item["key"]
        if key in registry.by_key:
            figure = registry.by_key[key]
        else:
            figure = plt.figure() if isinstance(item.get("num"), int) else Figure()
            registry.add(key, figure)
        try:
            figures.apply(figure, item.get("desc"), decoder.array)
        except codec.CodecError:
            raise
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as err:   # matplotlib refused a value
            raise codec.CodecError(f"a figure that cannot be redrawn ({type(err).__name__})") from None
    for key in reply.get("closed") or []:
        if isinstance(key, str) and key in registry.by_key:
            plt.close(registry.by_key[key])
    current = reply.get("current")
    if isinstance(current, str) and current in registry.by_key and \
            plt.fignum_exists(getattr(registry.by_key[current], "number", -1)):
        plt.figure(registry.by_key[current].number)
    shown = reply.get("shown")
    for _ in range(min(shown if isinstance(shown, int) else 0, MAX_SHOWS)):
        plt.show()


def apply_updates(reply, objects, decoder) -> None:
    """Give the judge's own arrays, Variables and models the changes the call made to their copies."""
    import numpy as np

    for update in reply.get("updates") or []:
        if not isinstance(update, dict):
            raise codec.CodecError("a malformed update")
        ref, node = update.get("ref"), update.get("value")
        if not isinstance(ref, int) or not 0 <= ref < len(objects) or not isinstance(node, dict):
            raise codec.CodecError("a malformed update")
        target = objects[ref]
        if node.get("$") == "model_state":
            from kata.worker import keras_plain

            if node.get("error"):
                raise codec.CodecError(str(node["error"])[:500])
            keras_plain.set_state(target, [decoder.array(w) for w in _list(node.get("weights"))], node.get("compile"))
            continue
        value = decoder.array(node)
        if isinstance(target, np.ndarray):
            if value.shape == target.shape and target.flags.writeable:
                target[...] = value.astype(target.dtype, copy=False)
        elif hasattr(target, "assign") and tuple(target.shape) == value.shape:
            target.assign(value.astype(target.dtype.as_numpy_dtype, copy=False))


def _list(value) -> list:
    if not isinstance(value, list):
        raise codec.CodecError("a malformed list of weights")
    return value


def write_outputs(reply, files, blobs) -> None:
    for item in reply.get("outputs") or []:
        if not (isinstance(item, list) and len(item) == 2):
            continue
        ref, blob = item
        if isinstance(ref, int) and 0 <= ref < len(files) and isinstance(blob, int) and 0 <= blob < len(blobs):
            path = Path(files[ref].path)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(blobs[blob])


def run_callback(worker, request, blobs, callbacks, objects, failures) -> None:
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
            if not (isinstance(method, str) and method.startswith("on_") and method.isidentifier()):
                raise codec.CodecError(f"a callback hook {str(method)[:40]!r}")
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
        from kata.worker import keras_plain

        keras_plain.set_state(model, [decoder.array(w) for w in _list(node.get("weights"))], None)
