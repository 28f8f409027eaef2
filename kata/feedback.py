"""Failure messages that teach: what was expected, what came, the likely cause.

Step tests raise `Feedback` (an AssertionError) through these helpers; the test runner shows
only its message, never a traceback wall. Every text is given in Spanish and English and shown
in the learner's language (`KATA_LANG`).
"""

import numpy as np

from kata.i18n import t


class Feedback(AssertionError):
    """A failed check, worded for the learner."""


def fail(es: str, en: str, *, cause_es: str = "", cause_en: str = "") -> None:
    """Stop the test with a learner-facing message and, if known, the likely cause."""
    text = t(es, en)
    cause = t(cause_es, cause_en)
    if cause:
        text += "\n" + t("Causa probable: ", "Likely cause: ") + cause
    raise Feedback(text)


def _shape(value) -> tuple:
    return tuple(int(d) if d is not None else None for d in getattr(value, "shape", np.shape(value)))


def expect_shape(value, expected, what_es: str, what_en: str, *, cause_es: str = "", cause_en: str = ""):
    """Fail unless `value` has shape `expected` (a tuple)."""
    got = _shape(value)
    if got != tuple(expected):
        fail(f"{what_es}: se esperaba la forma {tuple(expected)} y llegó {got}.",
             f"{what_en}: expected shape {tuple(expected)}, got {got}.",
             cause_es=cause_es, cause_en=cause_en)


def expect_close(value, expected, what_es: str, what_en: str, *, atol=1e-4, rtol=1e-4,
                 cause_es: str = "", cause_en: str = ""):
    """Fail unless `value` matches the NumPy reference `expected`, reporting the largest error."""
    got = np.asarray(value)
    expected = np.asarray(expected)
    if got.shape != expected.shape:
        expect_shape(got, expected.shape, what_es, what_en, cause_es=cause_es, cause_en=cause_en)
    if not np.issubdtype(got.dtype, np.number) and got.dtype != bool:
        fail(f"{what_es}: llegó {got.dtype} y se esperaban números.", f"{what_en}: got {got.dtype}; numbers were expected.",
             cause_es=cause_es, cause_en=cause_en)
    if not np.allclose(got, expected, atol=atol, rtol=rtol):
        worst = np.unravel_index(np.argmax(np.abs(got - expected)), got.shape) if got.size else ()
        where_es = f"en la posición {tuple(int(i) for i in worst)} " if got.ndim else ""
        where_en = f"at index {tuple(int(i) for i in worst)} " if got.ndim else ""
        fail(f"{what_es}: no coincide con la referencia de NumPy ({_error_es(got, expected)}; "
             f"{where_es}se esperaba {expected[worst]:.5g} y llegó {got[worst]:.5g}).",
             f"{what_en}: does not match the NumPy reference ({_error_en(got, expected)}; "
             f"{where_en}expected {expected[worst]:.5g}, got {got[worst]:.5g}).",
             cause_es=cause_es, cause_en=cause_en)


def _error_es(got, expected) -> str:
    return f"diferencia máxima {_largest_difference(got, expected):.3g}"


def _error_en(got, expected) -> str:
    return f"largest difference {_largest_difference(got, expected):.3g}"


def _largest_difference(got, expected) -> float:
    """max |got − expected|: an absolute figure, since a relative one explodes where the reference is 0
    (and a ReLU's reference is 0 in many places)."""
    difference = np.abs(np.asarray(got, np.float64) - np.asarray(expected, np.float64))
    return float(np.max(difference, initial=0.0))


def to_numpy(value) -> np.ndarray:
    """A TensorFlow tensor, Variable or array-like of numbers as a NumPy array; anything else (a
    string, None, a ragged list) fails with what it is."""
    try:
        array = value.numpy() if hasattr(value, "numpy") else np.asarray(value)
    except (ValueError, TypeError):
        array = np.asarray([], dtype=object)
    if array.dtype.kind not in "biuf":
        from kata.worker.describe import describe_value

        fail(f"se esperaba un tensor o un array de números y llegó {describe_value(value)}.",
             f"a tensor or an array of numbers was expected; got {describe_value(value)}.")
    return array
