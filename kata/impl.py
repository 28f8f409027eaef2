"""Load a step's module from an implementation folder.

An implementation is `exercises` (the default), `solutions`, or the path of any folder holding
modules with the exercise names (a student's submission). A step's module imports earlier steps
by their plain names (`from conv2d import conv2d`); `load_module` decides where those come from:
the tests pass the reference folder so one mistake does not fail every later step, while
`kata train` uses the student's own modules throughout.
"""

import hashlib
import types
from pathlib import Path

from kata import manifest
from kata.i18n import t
from kata.paths import exercises_dir, find_root, solutions_dir


class StepUnavailable(Exception):
    """A step's module is missing or cannot be imported; the message is for the learner."""


def resolve(spec, root=None) -> Path:
    """The folder an `--impl` value names: 'exercises', 'solutions' or a path."""
    root = Path(root or find_root())
    if spec in (None, "", "exercises"):
        return exercises_dir(root)
    if spec == "solutions":
        if not solutions_dir(root).is_dir():
            raise StepUnavailable(t(
                f"esta copia de la kata ({root}) no trae las soluciones de referencia (es la versión para "
                f"estudiantes): usa tu propio código, --impl exercises",
                f"this copy of the kata ({root}) has no reference solutions (it is the student release): "
                f"use your own code, --impl exercises"))
        return solutions_dir(root)
    folder = Path(spec).expanduser().resolve()
    if not folder.is_dir():
        raise StepUnavailable(
            t(f"--impl {spec}: no existe esa carpeta; usa exercises, solutions o la ruta de una carpeta con tus módulos",
              f"--impl {spec}: no such folder; use exercises, solutions or the path of a folder with your modules")
        )
    return folder


def reference_dir(root=None):
    """The reference solutions, or None in a student release (which ships none)."""
    folder = solutions_dir(root)
    return folder if folder.is_dir() else None


_CACHE = {}


def _fingerprint(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()[:12]


def load_module(module: str, impl_dir, deps_dir=None, root=None) -> types.ModuleType:
    """Import `<impl_dir>/<module>.py`, with the modules it `uses` taken from `deps_dir`.

    `deps_dir` None means the same folder. Loaded modules are cached by file content, so a
    test session compiles each TensorFlow function once and an edited file is reloaded.
    """
    impl_dir = Path(impl_dir).resolve()
    deps_dir = Path(deps_dir).resolve() if deps_dir else impl_dir
    path = impl_dir / f"{module}.py"
    if not path.is_file():
        raise StepUnavailable(
            t(f"falta el fichero {path.name} en {impl_dir}: este paso aún no está hecho",
              f"{path.name} is missing from {impl_dir}: this step is not done yet")
        )
    step = _step_for(module, root)
    deps = {name: load_module(name, deps_dir, deps_dir, root) for name in (step.uses if step else ())}
    key = (str(path), _fingerprint(path), tuple((n, id(m)) for n, m in deps.items()))
    if key not in _CACHE:
        _CACHE[key] = _exec_module(module, path, deps)
    return _CACHE[key]


def _step_for(module: str, root):
    try:
        return manifest.by_module(module, root)
    except manifest.ManifestError:
        return None


def _exec_module(module: str, path: Path, deps: dict) -> types.ModuleType:
    """Execute a module file under a private name, with `deps` visible as plain imports."""
    from kata.worker import loading

    name = f"kata_impl_{hashlib.sha1(str(path.parent).encode()).hexdigest()[:8]}.{module}"
    try:
        return loading.execute(module, path=path, deps=deps, private_name=name)
    except SyntaxError as err:
        raise StepUnavailable(
            t(f"{path.name}, línea {err.lineno}: error de sintaxis ({err.msg}); corrígelo y vuelve a probar",
              f"{path.name}, line {err.lineno}: syntax error ({err.msg}); fix it and try again")
        ) from None
    except Exception as err:  # an import-time crash belongs to the learner's file
        raise StepUnavailable(
            t(f"{path.name} falla al importarse: {type(err).__name__}: {err}",
              f"{path.name} fails on import: {type(err).__name__}: {err}")
        ) from err


def load_step(step_id: str, impl="exercises", *, reference_deps=True, root=None) -> types.ModuleType:
    """The module of step `step_id` from an implementation.

    With `reference_deps` (the tests' choice) the earlier steps it uses come from the reference
    solutions when they exist; otherwise from the same implementation.
    """
    step = manifest.get(step_id, root)
    impl_dir = resolve(impl, root) if not isinstance(impl, Path) else impl
    deps = reference_dir(root) if reference_deps else None
    return load_module(step.module, impl_dir, deps_dir=deps or impl_dir, root=root)
