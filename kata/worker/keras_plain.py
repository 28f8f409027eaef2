"""Keras models across the boundary as plain data: names from fixed lists, numbers, and weights.

The judge never calls, imports, loads or deserialises anything the worker names. A model comes as
its JSON config, checked first: every object in it must be one of the Keras classes listed here
(layers, initializers, regularizers, constraints, dtype policies), named under its own module,
with plain values (numbers, text, lists) as arguments; a `Lambda`, a `TFSMLayer`, a custom class
or an unknown name is refused with a message that says so. The compile settings (`compile_model`)
come as names from the fixed tables below — Keras's optimizers, losses and metrics — each with
numeric arguments; the judge builds the objects itself from its own tables, never from the
worker's description.
"""

import functools
import json

from kata.judging.limits import MAX_MODEL_LAYERS
from kata.worker.codec import CodecError

# --------------------------------------------------------------------------- what a model may hold

LAYERS = {
    "InputLayer", "Reshape", "Flatten", "Permute", "RepeatVector", "Conv1D", "Conv2D", "Conv2DTranspose",
    "SeparableConv2D", "DepthwiseConv2D", "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D",
    "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "ZeroPadding2D",
    "Cropping2D", "UpSampling2D", "Dense", "Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianNoise",
    "GaussianDropout", "AlphaDropout", "Activation", "ReLU", "LeakyReLU", "ELU", "PReLU", "Softmax",
    "BatchNormalization", "LayerNormalization", "Rescaling", "Identity", "Add", "Subtract", "Multiply",
    "Average", "Maximum", "Minimum", "Concatenate",
}
MODELS = {"Sequential", "Functional", "Model"}
INITIALIZERS = {"Constant", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform", "Identity", "LecunNormal",
                "LecunUniform", "Ones", "Orthogonal", "RandomNormal", "RandomUniform", "TruncatedNormal",
                "VarianceScaling", "Zeros"}
REGULARIZERS = {"L1", "L2", "L1L2", "OrthogonalRegularizer"}
CONSTRAINTS = {"MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm"}
POLICIES = {"DTypePolicy", "FloatDTypePolicy"}
# Where Keras says each kind lives in a config ("module"): nothing else is accepted.
MODULES = {
    "keras": MODELS | POLICIES, "keras.models": MODELS, "keras.src.models.functional": {"Functional"},
    "keras.src.models.sequential": {"Sequential"}, "keras.src.models.model": {"Model"},
    "keras.layers": LAYERS, "keras.initializers": INITIALIZERS, "keras.regularizers": REGULARIZERS,
    "keras.constraints": CONSTRAINTS, "keras.mixed_precision": POLICIES, "keras.dtype_policies": POLICIES,
}
ACTIVATIONS = {"celu", "elu", "exponential", "gelu", "hard_sigmoid", "hard_silu", "hard_swish", "leaky_relu",
               "linear", "log_softmax", "mish", "relu", "relu6", "selu", "sigmoid", "silu", "softmax", "softplus",
               "softsign", "swish", "tanh", None}
# Markers Keras writes inside a functional model's config (references to tensors, tuples).
STRUCTURAL = {"__keras_tensor__", "__tuple__"}
MAX_TEXT = 200
MAX_ITEMS = 4096

# --------------------------------------------------------------------------- what compile may name

OPTIMIZERS = ("Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "Ftrl", "Lamb", "Lion", "Nadam",
              "RMSprop", "SGD")
OPTIMIZER_NAMES = {name.lower(): name for name in OPTIMIZERS}
LOSS_CLASSES = ("BinaryCrossentropy", "BinaryFocalCrossentropy", "CategoricalCrossentropy",
                "CategoricalFocalCrossentropy", "CategoricalHinge", "CosineSimilarity", "Hinge", "Huber",
                "KLDivergence", "LogCosh", "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredError",
                "MeanSquaredLogarithmicError", "Poisson", "SparseCategoricalCrossentropy", "SquaredHinge")
LOSS_FUNCTIONS = ("binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
                  "categorical_focal_crossentropy", "categorical_hinge", "cosine_similarity", "hinge", "huber",
                  "kl_divergence", "log_cosh", "mean_absolute_error", "mean_absolute_percentage_error",
                  "mean_squared_error", "mean_squared_logarithmic_error", "poisson", "sparse_categorical_crossentropy",
                  "squared_hinge")
LOSS_NAMES = set(LOSS_FUNCTIONS) | {"mse", "mae", "mape", "msle", "kld", "logcosh"}
METRIC_CLASSES = ("AUC", "Accuracy", "BinaryAccuracy", "BinaryCrossentropy", "CategoricalAccuracy",
                  "CategoricalCrossentropy", "CategoricalHinge", "F1Score", "FalseNegatives", "FalsePositives",
                  "Hinge", "KLDivergence", "Mean", "MeanAbsoluteError", "MeanSquaredError", "Precision", "Recall",
                  "RootMeanSquaredError", "SparseCategoricalAccuracy", "SparseCategoricalCrossentropy",
                  "SparseTopKCategoricalAccuracy", "Sum", "TopKCategoricalAccuracy", "TrueNegatives",
                  "TruePositives")
METRIC_NAMES = {"accuracy", "acc", "categorical_accuracy", "sparse_categorical_accuracy", "binary_accuracy",
                "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "crossentropy", "ce",
                "categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy", "mse", "mae",
                "mean_squared_error", "mean_absolute_error", "auc", "precision", "recall"}
METRIC_FUNCTIONS = ("binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
                    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy")
COMPILE_KEYS = ("optimizer", "loss", "metrics", "loss_weights", "weighted_metrics", "run_eagerly",
                "steps_per_execution", "jit_compile")


def _keras():
    from kata import quiet

    quiet.tensorflow()
    import keras

    return keras


def _refuse(where: str, what: str) -> CodecError:
    return CodecError(f"{where} uses {what}, which the tests cannot rebuild: build it from Keras's own "
                      f"layers, losses, metrics and optimizers, with numbers and names as arguments")


def plain(value, where: str, depth=0):
    """`value` if it is plain data (None, bool, number, short text, lists of them); else CodecError."""
    if depth > 16:
        raise CodecError(f"{where}: a value nests too deep")
    if value is None or isinstance(value, bool) or type(value) in (int, float):
        return value
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise CodecError(f"{where}: a text of {len(value)} characters")
        return value
    if isinstance(value, (list, tuple)) and len(value) <= MAX_ITEMS:
        return [plain(v, where, depth + 1) for v in value]
    raise _refuse(where, f"a {type(value).__name__}")


# --------------------------------------------------------------------------- model configs


def check_config(config, where="the model") -> dict:
    """The model config without its compile settings (those cross on their own, as plain names),
    after checking every object in it is one of the classes above; else CodecError."""
    if not isinstance(config, dict) or config.get("class_name") not in MODELS:
        raise CodecError(f"{where} is not a Keras model (keras.Sequential, or the functional API)")
    config = {k: v for k, v in config.items() if k != "compile_config"}
    layers = [0]
    _check(config, where, layers, 0)
    return config


def _check(item, where, layers, depth) -> None:
    if depth > 64:
        raise CodecError(f"{where} nests too deep")
    if isinstance(item, list):
        if len(item) > MAX_ITEMS:
            raise CodecError(f"{where} holds a list of {len(item)} items")
        for value in item:
            _check(value, where, layers, depth + 1)
        return
    if not isinstance(item, dict):
        plain(item, where)
        return
    if "compile_config" in item:
        raise CodecError(f"{where} carries compile settings inside a layer")
    if "class_name" in item:
        _check_object(item, where, layers)
    for key, value in item.items():
        if not isinstance(key, str) or len(key) > MAX_TEXT:
            raise CodecError(f"{where} holds a malformed key")
        if key == "activation" and isinstance(value, (str, type(None))) and value not in ACTIVATIONS:
            raise _refuse(where, f"the activation {str(value)[:60]!r}")
        _check(value, where, layers, depth + 1)


def _check_object(item, where, layers) -> None:
    name, module, registered = item.get("class_name"), item.get("module"), item.get("registered_name")
    if name in STRUCTURAL and module is None:
        return
    if name in ("Lambda", "TFOpLambda", "TFSMLayer"):
        raise CodecError(f"{where} uses a {name} layer, which runs code of its own; build it from Keras's own "
                         f"layers only")
    if not isinstance(module, str) or name not in MODULES.get(module, ()):
        raise _refuse(where, f"{str(module)[:60]}.{str(name)[:60]}")
    if registered not in (None, name):
        raise _refuse(where, f"the custom object {str(registered)[:60]!r}")
    if name in LAYERS or name in MODELS:
        layers[0] += 1
        if layers[0] > MAX_MODEL_LAYERS:
            raise CodecError(f"{where} has more than {MAX_MODEL_LAYERS} layers")


def encode_model(model, encoder) -> dict:
    """A node for a keras.Model: its config, weights (as arrays) and, if compiled, its compile
    settings (or why they cannot be sent). The judge checks all of it; nothing is checked here."""
    try:
        config = model.to_json()
    except Exception as err:  # a subclassed model without get_config, for one
        raise CodecError(f"the model cannot describe itself as a config ({type(err).__name__}: {err}); build it "
                         f"with keras.Sequential or the functional API") from None
    try:
        settings, refused = compile_settings(model), None
    except CodecError as err:
        settings, refused = None, str(err)
    return {"$": "model", "config": config, "compile": settings, "compile_error": refused,
            "weights": [encoder.array_node("array", weight) for weight in model.get_weights()]}


def decode_model(node: dict, decoder):
    """The keras.Model a node describes, rebuilt from its checked config."""
    keras = _keras()
    try:
        config = json.loads(node.get("config") or "null")
    except (TypeError, ValueError):
        raise CodecError("a model came with a config that is not JSON") from None
    config = check_config(config)
    try:
        model = keras.saving.deserialize_keras_object(config, custom_objects={}, safe_mode=True)
    except Exception as err:
        raise CodecError(f"the model cannot be rebuilt from its config ({type(err).__name__}: {err})") from None
    if not isinstance(model, keras.Model):
        raise CodecError(f"a model's config rebuilt a {type(model).__name__}, not a keras.Model")
    weights = node.get("weights")
    if not isinstance(weights, list):
        raise CodecError("a model came without its list of weights")
    if node.get("compile_error"):
        raise CodecError(str(node["compile_error"])[:500])
    set_state(model, [decoder.array(w) for w in weights], node.get("compile"))
    return model


# --------------------------------------------------------------------------- compile settings


def compile_settings(model):
    """What `model.compile(...)` was given, as JSON text of names and numbers (None when not
    compiled). Raises CodecError for anything else, naming it."""
    if not getattr(model, "compiled", False) or getattr(model, "_compile_config", None) is None:
        return None
    given = dict(model._compile_config.config)
    settings = {"optimizer": _optimizer(given.get("optimizer")), "loss": _loss(given.get("loss"), "the loss")}
    for key in ("metrics", "weighted_metrics"):
        settings[key] = _metrics(given.get(key))
    for key in ("loss_weights", "run_eagerly", "steps_per_execution", "jit_compile"):
        settings[key] = plain(given.get(key), f"compile_model's {key}")
    return json.dumps(settings, sort_keys=True)


def _where(what: str) -> str:
    return f"compile_model's {what}"


def _config(obj, where) -> dict:
    try:
        config = obj.get_config()
    except Exception as err:
        raise CodecError(f"{where} cannot describe itself ({type(err).__name__})") from None
    if not isinstance(config, dict):
        raise _refuse(where, type(obj).__name__)
    return {str(k): plain(v, where) for k, v in config.items()}


def _optimizer(value):
    keras = _keras()
    where = _where("optimizer")
    if value is None:
        return None
    if isinstance(value, str):
        if value.lower() not in OPTIMIZER_NAMES:
            raise _refuse(where, f"the name {value[:60]!r}")
        return {"name": value.lower()}
    for name in OPTIMIZERS:
        if type(value) is getattr(keras.optimizers, name):
            config = _config(value, where)
            if isinstance(value.get_config().get("learning_rate"), dict):
                raise _refuse(where, "a learning-rate schedule (give the rate as a number)")
            return {"class": name, "config": config}
    raise _refuse(where, f"a {type(value).__name__}")


def _loss(value, where):
    keras = _keras()
    if value is None:
        return None
    if isinstance(value, str):
        if value not in LOSS_NAMES:
            raise _refuse(where, f"the name {value[:60]!r}")
        return {"name": value}
    for name in LOSS_CLASSES:
        if type(value) is getattr(keras.losses, name):
            return {"class": name, "config": _config(value, where)}
    for name in LOSS_FUNCTIONS:
        if value is getattr(keras.losses, name):
            return {"function": name}
    if isinstance(value, functools.partial) and not value.args:
        for name in LOSS_FUNCTIONS:
            if value.func is getattr(keras.losses, name):
                return {"function": name, "kwargs": {str(k): plain(v, where) for k, v in value.keywords.items()}}
    raise _refuse(where, f"a {type(value).__name__}")


def _metrics(value):
    keras = _keras()
    where = _where("metrics")
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or len(value) > 32:
        raise _refuse(where, f"a {type(value).__name__} (give a list)")
    found = []
    for metric in value:
        if isinstance(metric, str):
            if metric not in METRIC_NAMES:
                raise _refuse(where, f"the name {metric[:60]!r}")
            found.append({"name": metric})
            continue
        cls = next((n for n in METRIC_CLASSES if type(metric) is getattr(keras.metrics, n)), None)
        if cls is not None:
            found.append({"class": cls, "config": _config(metric, where)})
            continue
        function = next((n for n in METRIC_FUNCTIONS if metric is getattr(keras.metrics, n)), None)
        if function is None:
            raise _refuse(where, f"a {type(metric).__name__}")
        found.append({"function": function})
    return found


def compile_from_settings(model, text: str) -> None:
    """Compile `model` with the settings `compile_settings` wrote, built from this module's tables."""
    try:
        settings = json.loads(text)
    except (TypeError, ValueError):
        raise CodecError("compile_model's settings are not JSON") from None
    if not isinstance(settings, dict) or set(settings) - set(COMPILE_KEYS):
        raise CodecError("compile_model's settings are not the ones model.compile takes")
    arguments = {"optimizer": _build_optimizer(settings.get("optimizer")),
                 "loss": _build_loss(settings.get("loss")),
                 "metrics": _build_metrics(settings.get("metrics")),
                 "weighted_metrics": _build_metrics(settings.get("weighted_metrics"))}
    for key in ("loss_weights", "run_eagerly", "steps_per_execution", "jit_compile"):
        arguments[key] = plain(settings.get(key), _where(key))
    try:
        model.compile(**{k: v for k, v in arguments.items() if v is not None or k == "loss"})
    except Exception as err:
        raise CodecError(f"compile_model's settings cannot be rebuilt ({type(err).__name__}: {err})") from None


def _arguments(node, where) -> dict:
    config = node.get("config", node.get("kwargs", {}))
    if not isinstance(config, dict) or not all(isinstance(k, str) and k.isidentifier() for k in config):
        raise CodecError(f"{where}: malformed arguments")
    return {k: plain(v, where) for k, v in config.items()}


def _one_of(node, key, allowed, where):
    name = node.get(key) if isinstance(node, dict) else None
    if name not in allowed:
        raise _refuse(where, f"{key} {str(name)[:60]!r}")
    return name


def _build_optimizer(node):
    keras = _keras()
    where = _where("optimizer")
    if node is None:
        return None
    if isinstance(node, dict) and "name" in node:
        return getattr(keras.optimizers, OPTIMIZER_NAMES[_one_of(node, "name", OPTIMIZER_NAMES, where)])()
    name = _one_of(node, "class", OPTIMIZERS, where)
    return getattr(keras.optimizers, name)(**_arguments(node, where))


def _build_loss(node):
    keras = _keras()
    where = _where("loss")
    if node is None:
        return None
    if isinstance(node, dict) and "name" in node:
        return _one_of(node, "name", LOSS_NAMES, where)
    if isinstance(node, dict) and "function" in node:
        function = getattr(keras.losses, _one_of(node, "function", LOSS_FUNCTIONS, where))
        kwargs = _arguments(node, where)
        return functools.partial(function, **kwargs) if kwargs else function
    name = _one_of(node, "class", LOSS_CLASSES, where)
    return getattr(keras.losses, name)(**_arguments(node, where))


def _build_metrics(nodes):
    keras = _keras()
    where = _where("metrics")
    if nodes is None:
        return None
    if not isinstance(nodes, list) or len(nodes) > 32:
        raise CodecError(f"{where}: not a list")
    built = []
    for node in nodes:
        if isinstance(node, dict) and "name" in node:
            built.append(_one_of(node, "name", METRIC_NAMES, where))
        elif isinstance(node, dict) and "function" in node:
            built.append(getattr(keras.metrics, _one_of(node, "function", METRIC_FUNCTIONS, where)))
        else:
            built.append(getattr(keras.metrics, _one_of(node, "class", METRIC_CLASSES, where))(**_arguments(node, where)))
    return built


# --------------------------------------------------------------------------- weights and state


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


def state(model, strict=False) -> tuple:
    """What a call may change in a model: its weights and its compile settings (JSON text).
    With `strict`, settings that cannot be sent raise CodecError; otherwise they compare as a marker."""
    try:
        settings = compile_settings(model)
    except CodecError:
        if strict:
            raise
        settings = "<not sendable>"
    return [w.copy() for w in model.get_weights()], settings
