"""Keras models across the boundary: their JSON config, weights and compile config — never pickles.

The judge rebuilds a model the learner's code made with Keras' own safe deserialisation, and only
after checking that every object the config names is one of Keras's own classes: a `Lambda`
layer, a custom layer or loss, or any class outside the `keras` package is refused with a message
that says so, because rebuilding it would run code that came from the learner.
"""

import json

from kata.worker.codec import CodecError

REFUSED_CLASSES = {"Lambda", "TFOpLambda"}


def _keras():
    from kata import quiet

    quiet.tensorflow()
    import keras

    return keras


def check_config(config, where="the model") -> None:
    """Raise CodecError unless every serialised object in `config` is one of Keras's own."""
    stack = [config]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "class_name" in item:
                name = str(item.get("class_name"))
                module = item.get("module")
                registered = item.get("registered_name")
                if name in REFUSED_CLASSES:
                    raise CodecError(f"{where} uses a {name} layer, which runs code of its own; build it from "
                                     f"Keras's own layers only")
                if not isinstance(module, str) or not (module == "keras" or module.startswith("keras.")):
                    raise CodecError(f"{where} uses {module}.{name}, which is not one of Keras's own classes; "
                                     f"the tests can only rebuild models made of Keras's own layers, losses and metrics")
                if registered not in (None, name) and not (name == "function" and registered == "function"):
                    raise CodecError(f"{where} uses the custom object {registered!r}; use Keras's own classes")
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def encode_model(model, encoder) -> dict:
    """A node for a keras.Model: config, weights (as arrays) and, if compiled, its compile config."""
    try:
        config = model.to_json()
    except Exception as err:  # a subclassed model without get_config, for one
        raise CodecError(f"the model cannot describe itself as a config ({type(err).__name__}: {err}); build it "
                         f"with keras.Sequential or the functional API") from None
    compile_config = None
    if getattr(model, "compiled", False):
        try:
            compile_config = json.dumps(model.get_compile_config())
        except (TypeError, ValueError):
            compile_config = None
    return {"$": "model", "config": config, "compile": compile_config,
            "weights": [encoder._array("array", weight) for weight in model.get_weights()]}


def decode_model(node: dict, decoder, *, trusted: bool):
    """The keras.Model a node describes, rebuilt safely."""
    keras = _keras()
    try:
        config = json.loads(node.get("config") or "null")
        compile_config = json.loads(node["compile"]) if node.get("compile") else None
    except ValueError:
        raise CodecError("a model came with a config that is not JSON") from None
    check_config(config)
    if compile_config is not None:
        check_config(compile_config, "compile_model's settings")
    try:
        model = keras.saving.deserialize_keras_object(config, safe_mode=True)
    except Exception as err:
        raise CodecError(f"the model cannot be rebuilt from its config ({type(err).__name__}: {err})") from None
    if not isinstance(model, keras.Model):
        raise CodecError(f"a model's config rebuilt a {type(model).__name__}, not a keras.Model")
    set_state(model, [decoder.array(w) for w in node.get("weights", [])], compile_config)
    return model


def set_state(model, weights, compile_config) -> None:
    """Give `model` these weights (checked against its own shapes) and compile it from the config."""
    if weights or model.get_weights():
        expected = [tuple(w.shape) for w in model.get_weights()]
        if [tuple(w.shape) for w in weights] != expected:
            raise CodecError(f"a model came with weights shaped {[tuple(w.shape) for w in weights]}, "
                             f"but its layers hold {expected}")
        model.set_weights(weights)
    if compile_config is not None:
        try:
            model.compile_from_config(compile_config)
        except Exception as err:
            raise CodecError(f"compile_model's settings cannot be rebuilt ({type(err).__name__}: {err})") from None


def state(model) -> tuple:
    """What a call may change in a model: its weights and its compile config (JSON text)."""
    compile_config = None
    if getattr(model, "compiled", False):
        try:
            compile_config = json.dumps(model.get_compile_config(), sort_keys=True)
        except (TypeError, ValueError):
            compile_config = None
    return [w.copy() for w in model.get_weights()], compile_config
