"""Keras models across the boundary: their JSON config, weights and compile config — never pickles.

The judge rebuilds a model the learner's code made with Keras' own safe deserialisation, and only
after checking that every object the config names is one of Keras's own classes: a `Lambda`
layer, a custom layer or loss, or any class outside the `keras` package is refused with a message
that says so, because rebuilding it would run code that came from the learner.
"""

import functools
import json

from kata.worker.codec import CodecError

REFUSED_CLASSES = {"Lambda", "TFOpLambda", "__lambda__"}
# Markers Keras writes inside a functional model's config (references to tensors, tuples).
STRUCTURAL = {"__keras_tensor__", "__tuple__"}


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
                if name in STRUCTURAL and module is None:
                    stack.extend(item.values())
                    continue
                if module == "builtins" and name == "function" and _keras_function(item.get("config")):
                    continue
                if not isinstance(module, str) or not (module == "keras" or module.startswith("keras.")):
                    raise CodecError(f"{where} uses {module}.{name}, which is not one of Keras's own classes; "
                                     f"the tests can only rebuild models made of Keras's own layers, losses and metrics")
                if registered not in (None, name) and not (name == "function" and registered == "function"):
                    raise CodecError(f"{where} uses the custom object {registered!r}; use Keras's own classes")
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _keras_function(name) -> bool:
    """Whether `name` is one of Keras's own loss, metric or activation functions (as Keras
    serialises them: module "builtins", class "function")."""
    keras = _keras()
    return isinstance(name, str) and name.isidentifier() and any(
        callable(getattr(namespace, name, None)) for namespace in (keras.losses, keras.metrics, keras.activations))


def compile_settings(model):
    """What `model.compile(...)` was given, as JSON text (None when not compiled). Keras's own
    objects are serialised by Keras; a functools.partial of one of Keras's functions (e.g.
    `partial(categorical_crossentropy, from_logits=True)`) as the function and its arguments."""
    if not getattr(model, "compiled", False) or getattr(model, "_compile_config", None) is None:
        return None
    keras = _keras()

    def setting(value):
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, (list, tuple)):
            return [setting(v) for v in value]
        if isinstance(value, dict):
            return {str(k): setting(v) for k, v in value.items()}
        if isinstance(value, functools.partial):
            return {"$partial": setting(value.func), "args": [setting(a) for a in value.args],
                    "kwargs": {str(k): setting(v) for k, v in value.keywords.items()}}
        try:
            return keras.saving.serialize_keras_object(value)
        except Exception as err:
            raise CodecError(f"compile_model gave Keras {type(value).__name__}, which cannot be sent to the "
                             f"tests ({err}); use Keras's own losses, metrics and optimizers") from None

    return json.dumps(setting(dict(model._compile_config.config)), sort_keys=True)


def compile_from_settings(model, text: str) -> None:
    """Compile `model` with the settings `compile_settings` wrote, after checking every object."""
    keras = _keras()
    settings = json.loads(text)
    check_config(settings, "compile_model's settings")

    def build(value):
        if isinstance(value, list):
            return [build(v) for v in value]
        if isinstance(value, dict):
            if "$partial" in value:
                function = build(value["$partial"])
                if not callable(function):
                    raise CodecError("compile_model's settings hold a partial of something that is not a function")
                return functools.partial(function, *build(value.get("args", [])), **build(value.get("kwargs", {})))
            if "class_name" in value:
                return keras.saving.deserialize_keras_object(value, safe_mode=True)
            return {k: build(v) for k, v in value.items()}
        return value

    if not isinstance(settings, dict):
        raise CodecError("compile_model's settings are not a dict")
    try:
        model.compile(**build(settings))
    except CodecError:
        raise
    except Exception as err:
        raise CodecError(f"compile_model's settings cannot be rebuilt ({type(err).__name__}: {err})") from None


def encode_model(model, encoder) -> dict:
    """A node for a keras.Model: config, weights (as arrays) and, if compiled, its compile settings."""
    try:
        config = model.to_json()
    except Exception as err:  # a subclassed model without get_config, for one
        raise CodecError(f"the model cannot describe itself as a config ({type(err).__name__}: {err}); build it "
                         f"with keras.Sequential or the functional API") from None
    return {"$": "model", "config": config, "compile": compile_settings(model),
            "weights": [encoder._array("array", weight) for weight in model.get_weights()]}


def decode_model(node: dict, decoder, *, trusted: bool):
    """The keras.Model a node describes, rebuilt safely."""
    keras = _keras()
    try:
        config = json.loads(node.get("config") or "null")
    except ValueError:
        raise CodecError("a model came with a config that is not JSON") from None
    check_config(config)
    try:
        model = keras.saving.deserialize_keras_object(config, safe_mode=True)
    except Exception as err:
        raise CodecError(f"the model cannot be rebuilt from its config ({type(err).__name__}: {err})") from None
    if not isinstance(model, keras.Model):
        raise CodecError(f"a model's config rebuilt a {type(model).__name__}, not a keras.Model")
    set_state(model, [decoder.array(w) for w in node.get("weights", [])], node.get("compile"))
    return model


def set_state(model, weights, compile_settings_text) -> None:
    """Give `model` these weights (checked against its own shapes) and compile it with the settings."""
    if weights or model.get_weights():
        expected = [tuple(w.shape) for w in model.get_weights()]
        if [tuple(w.shape) for w in weights] != expected:
            raise CodecError(f"a model came with weights shaped {[tuple(w.shape) for w in weights]}, "
                             f"but its layers hold {expected}")
        model.set_weights(weights)
    if compile_settings_text is not None:
        if not isinstance(compile_settings_text, str):
            raise CodecError("compile_model's settings are not JSON text")
        compile_from_settings(model, compile_settings_text)


def state(model) -> tuple:
    """What a call may change in a model: its weights and its compile settings (JSON text)."""
    try:
        settings = compile_settings(model)
    except CodecError:
        settings = "<not sendable>"
    return [w.copy() for w in model.get_weights()], settings
