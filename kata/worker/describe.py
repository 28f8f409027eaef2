"""Short descriptions of values for learner-facing messages: `float32 (1, 3, 3, 1)`, `list of 5`.

In a graded submission's feedback (`kata.judging.withheld`) a value the learner's code made is
described by its kind and size only: never the text of a string, a dict's keys, a long number or
the name of a class of its own.
"""

import sys

from kata.i18n import t

MAX_TEXT = 60
KNOWN_PACKAGES = ("builtins", "numpy", "tensorflow", "keras", "matplotlib")


def _withheld() -> bool:
    from kata.judging import withheld

    return withheld.active()


def describe_value(value) -> str:
    """A short, readable description of an argument or a result."""
    import numpy as np

    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        text = repr(value) if abs(value) < 10**12 or not _withheld() else None
        return text or t("un entero muy grande", "a very large int")
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, str):
        if _withheld():
            return t(f"un texto de {len(value)} caracteres", f"a str of {len(value)} characters")
        return repr(value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "…")
    if isinstance(value, np.ndarray):
        return f"array {value.dtype} {tuple(value.shape)}"
    if isinstance(value, np.generic):
        return repr(value.item())
    tf = sys.modules.get("tensorflow")
    if tf is not None:
        if isinstance(value, tf.Variable):
            return f"tf.Variable {value.dtype.name} {tuple(value.shape)}"
        if tf.is_tensor(value):
            return f"tensor {value.dtype.name} {tuple(value.shape)}"
    if isinstance(value, (list, tuple)):
        kind = "list" if isinstance(value, list) else "tuple"
        if len(value) <= 4 and all(isinstance(v, (int, float, bool, str, type(None))) for v in value) \
                and not _withheld():
            return repr(value)
        if len(value) <= 4:
            inner = ", ".join(describe_value(v) for v in value)
            return f"[{inner}]" if kind == "list" else f"({inner}{',' if len(value) == 1 else ''})"
        return f"{kind} of {len(value)}"
    if isinstance(value, dict):
        if _withheld():
            return t(f"un dict de {len(value)} claves", f"a dict of {len(value)} keys")
        return f"dict {sorted(map(str, value))[:6]}"
    name = type(value).__name__
    keras = sys.modules.get("keras")
    if keras is not None and isinstance(value, keras.Model):
        return t(f"un keras.Model ({len(value.layers)} capas)", f"a keras.Model ({len(value.layers)} layers)")
    if name == "Opaque" and hasattr(value, "type_name"):
        kind = value.type_name.split(".")[-1]
        if _withheld() and not (value.type_name.split(".")[0] in KNOWN_PACKAGES and kind.isidentifier()
                                and len(kind) <= 40) and "." in value.type_name:
            return t("un objeto de otra clase", "an object of another class")
        if _withheld() and "." not in value.type_name and not (kind.isidentifier() and len(kind) <= 20):
            return t("un objeto de otra clase", "an object of another class")
        return t(f"un objeto {kind}", f"a {kind} object")
    if name == "module":
        return getattr(value, "__name__", "module")
    if callable(value) and hasattr(value, "__name__"):
        return value.__name__
    return name
