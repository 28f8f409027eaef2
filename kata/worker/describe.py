"""Short descriptions of values for learner-facing messages: `float32 (1, 3, 3, 1)`, `list of 5`."""

import sys

from kata.i18n import t

MAX_TEXT = 60


def describe_value(value) -> str:
    """A short, readable description of an argument or a result."""
    import numpy as np

    if value is None or isinstance(value, (bool, int)):
        return repr(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, str):
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
        if len(value) <= 4 and all(isinstance(v, (int, float, bool, str, type(None))) for v in value):
            return repr(value)
        if len(value) <= 4:
            inner = ", ".join(describe_value(v) for v in value)
            return f"[{inner}]" if kind == "list" else f"({inner}{',' if len(value) == 1 else ''})"
        return f"{kind} of {len(value)}"
    if isinstance(value, dict):
        return f"dict {sorted(map(str, value))[:6]}"
    name = type(value).__name__
    keras = sys.modules.get("keras")
    if keras is not None and isinstance(value, keras.Model):
        return t(f"un keras.Model ({len(value.layers)} capas)", f"a keras.Model ({len(value.layers)} layers)")
    if name == "Opaque" and hasattr(value, "type_name"):
        return t(f"un objeto {value.type_name.split('.')[-1]}", f"a {value.type_name.split('.')[-1]} object")
    if name == "module":
        return getattr(value, "__name__", "module")
    if callable(value) and hasattr(value, "__name__"):
        return value.__name__
    return name
