"""Helpers that run inside the kernel of the nbgrader notebook.

`setup()` makes a private folder on `sys.path` and the `%%kata_module NAME` cell magic: an answer
cell that starts with it is saved as `NAME.py` in that folder and then run in the notebook, so
later cells (and later steps: `from conv2d import conv2d`) import it by its plain name.
`check_step(step_id)` runs the repository's own tests of that step against the saved module
(earlier steps come from the reference solutions, as with pytest and `kata grade`) and raises an
AssertionError with a short digest when any fails: the autograder then gives the cell 0 points.
`check_hidden(step_id, source)` does the same with the instructor's hidden tests of that step,
which the test cell's hidden-test block carries as text (a student's copy never has them).
"""

import atexit
import contextlib
import importlib
import io
import shutil
import sys
import tempfile
from pathlib import Path

from kata.i18n import t

_STATE = {}


def setup() -> Path:
    """Create the kernel's module folder and register `%%kata_module`; returns the folder."""
    from IPython import get_ipython

    from kata import quiet

    quiet.tensorflow()   # now, so its C++ start-up lines never land in a cell's output
    if "folder" not in _STATE:
        folder = Path(tempfile.mkdtemp(prefix="kata-nbgrader-"))
        atexit.register(shutil.rmtree, folder, True)
        sys.path.insert(0, str(folder))
        _STATE["folder"] = folder
    shell = get_ipython()
    if shell is not None:
        shell.register_magic_function(kata_module, "cell", "kata_module")
    return _STATE["folder"]


def kata_module(line: str, cell: str) -> None:
    """`%%kata_module conv2d`: save the cell as conv2d.py, then run it in the notebook."""
    from IPython import get_ipython

    module = line.strip()
    if not module.isidentifier():
        raise ValueError(f"%%kata_module needs a module name, e.g. `%%kata_module conv2d`; got {line!r}")
    path = setup() / f"{module}.py"
    path.write_text(cell, encoding="utf-8")
    sys.modules.pop(module, None)   # later `import conv2d` must see this version
    importlib.invalidate_caches()
    shell = get_ipython()
    namespace = shell.user_ns if shell is not None else {}
    exec(compile(cell, str(path), "exec"), namespace)


def check_step(step_id: str) -> None:
    """Run the step's tests on the module its answer cell saved; AssertionError when any fails."""
    from kata import manifest
    from kata.judging import suite, verdict

    step = manifest.get(step_id)
    folder = setup()
    if not (folder / step.filename).is_file():
        raise AssertionError(t(f"ejecuta primero la celda de respuesta del paso '{step.id}' (la que empieza "
                               f"por %%kata_module {step.module})",
                               f"run the answer cell of step '{step.id}' first (the one starting with "
                               f"%%kata_module {step.module})"))
    ok, text = verdict.summary(step, suite.run([step.id], impl=str(folder)))
    if not ok:
        raise AssertionError(text)
    print(text)


def check_hidden(step_id: str, source: str) -> None:
    """Run the instructor's hidden tests of a step (the text of tests/hidden/test_<step>.py) on the
    module its answer cell saved; AssertionError when any fails."""
    import pytest

    from kata import manifest
    from kata.judging import verdict
    from kata.paths import find_root
    from kata.judging.suite import Recorder

    step = manifest.get(step_id)
    folder = setup()
    root = find_root()
    if "hidden" not in _STATE:
        # A folder named `hidden`: the judge words its failures for learners, as for tests/hidden/.
        _STATE["hidden"] = Path(tempfile.mkdtemp(prefix="kata-hidden-")) / "hidden"
        _STATE["hidden"].mkdir()
        # A package, as tests/hidden is: imported as hidden.test_<step>, apart from the public suite.
        (_STATE["hidden"] / "__init__.py").write_text("", encoding="utf-8")
        atexit.register(shutil.rmtree, _STATE["hidden"].parent, True)
    test_file = _STATE["hidden"] / f"test_{step.id}.py"
    test_file.write_text(source, encoding="utf-8")
    sys.modules.pop(f"hidden.{test_file.stem}", None)      # a cell run again collects the file afresh
    recorder = Recorder()
    with contextlib.redirect_stdout(io.StringIO()):
        pytest.main([str(test_file), f"--impl={folder}", "-q", "-p", "no:cacheprovider", "-p", "kata.judging.plugin",
                     f"--rootdir={root}", "-c", str(root / "pyproject.toml")], plugins=[recorder])
    ok, text = verdict.summary(step, recorder.outcomes)
    if not ok:
        raise AssertionError(text)
    print(text)
