"""The learner's `.kata/state.json`: cached step results and how many hints of each step were shown.

It is only a cache and a counter: when it cannot be read it starts afresh, and when it cannot be
written (a read-only copy, a folder owned by another user) the command still works and says so once.
"""

import hashlib
import json
import sys
from pathlib import Path

from kata import manifest
from kata.i18n import t
from kata.paths import exercise_path, exercises_dir, relative, suite_path

STATE_FILE = Path(".kata") / "state.json"
VERSION = 1
_WARNED = set()


def path(root) -> Path:
    return Path(root) / STATE_FILE


def load(root) -> dict:
    """The saved state; an empty one when there is none or it cannot be read."""
    where = path(root)
    try:
        data = json.loads(where.read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = {}
    except (OSError, ValueError):
        _warn_once(where, t(f"aviso: no se pudo leer {where}; se empieza de cero",
                            f"warning: could not read {where}; starting afresh"))
        data = {}
    if not isinstance(data, dict) or data.get("version") != VERSION:
        data = {}
    data.setdefault("version", VERSION)
    data.setdefault("results", {})
    data.setdefault("hints", {})
    return data


def save(root, state: dict) -> bool:
    """Write the state (atomically); False, with a one-line note, when the folder is not writable."""
    from kata.files import write_atomic

    where = path(root)
    try:
        write_atomic(where, json.dumps(state, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        return True
    except OSError as err:
        _warn_once(where, t(f"nota: no se puede escribir {where} ({err.strerror}); la comprobación sigue, pero "
                            f"no se recordará. Da permiso de escritura a la carpeta para que se recuerde.",
                            f"note: cannot write {where} ({err.strerror}); checking goes on but will not be "
                            f"remembered. Make the folder writable for it to be remembered."))
        return False


def _warn_once(where, text) -> None:
    if where not in _WARNED:
        _WARNED.add(where)
        print(text, file=sys.stderr)


# ---------------------------------------------------------------- cached results


def _dependency_files(step, root) -> list:
    """The files of the earlier steps a step's tests import, wherever the tests take them from."""
    from kata.impl import reference_dir

    folder = reference_dir(root) or exercises_dir(root)
    return [folder / f"{module}.py" for module in manifest.dependencies(step, root)]


def cache_key(step, root) -> str:
    """sha256 over the step's file, its tests, the shared conftest, the modules it uses and the
    kata's own version (a new kata may judge the same file differently)."""
    from kata import __version__

    root = Path(root)
    digest = hashlib.sha256(__version__.encode())
    files = [exercise_path(step, root), suite_path(step, root), root / "conftest.py", *_dependency_files(step, root)]
    for file in files:
        digest.update(relative(file, root).encode())
        digest.update(file.read_bytes() if file.is_file() else b"<missing>")
    return digest.hexdigest()


def cached(step, root, state):
    """The cached result entry of a step if its key still matches, else None."""
    entry = state["results"].get(step.id)
    return entry if entry and entry.get("key") == cache_key(step, root) else None


def remember(step, root, state, entry: dict) -> None:
    state["results"][step.id] = {**entry, "key": cache_key(step, root)}


def forget(step, root) -> None:
    """Drop the cached result and the hint count of a step (after its file was replaced)."""
    state = load(root)
    dropped = state["results"].pop(step.id, None) is not None
    dropped = state["hints"].pop(step.id, None) is not None or dropped
    if dropped:
        save(root, state)


# ---------------------------------------------------------------- hints


def hint(step, n=None, lang=None, root=None):
    """(number, count, text) of a hint of `step`: the N-th, or the next one not yet shown.

    Remembers the highest hint shown. Raises ValueError naming the valid range for a bad N.
    """
    hints = step.hints(lang)
    if not hints:
        raise ValueError(t(f"el paso {step.id} no tiene pistas", f"step {step.id} has no hints", lang))
    state = load(root)
    shown = int(state["hints"].get(step.id, 0))
    number = min(shown + 1, len(hints)) if n is None else n
    if not 1 <= number <= len(hints):
        raise ValueError(t(f"el paso {step.id} tiene {len(hints)} pistas: elige N entre 1 y {len(hints)}",
                           f"step {step.id} has {len(hints)} hints: choose N from 1 to {len(hints)}", lang))
    state["hints"][step.id] = max(shown, number)
    save(root, state)
    return number, len(hints), hints[number - 1]
