"""Helpers the student notebooks call inside the kernel.

`setup` picks the implementation folder, `where` shows the file to edit, `check` runs a step's
tests and stops "Run all" at the first unfinished step with the digest alone (no traceback
wall), `ProgressBar` draws training progress in place, `limit` and `show` are small conveniences.
"""

import contextlib
import io
import os
import sys
from pathlib import Path

from kata import manifest
from kata.i18n import t

_IMPL = {"name": "exercises"}


class StepNotDone(Exception):
    """A step's check failed. IPython shows `_render_traceback_` instead of a traceback."""

    def _render_traceback_(self):
        return [str(self), t("(el cuaderno se para aquí: arregla el paso y vuelve a ejecutar esta celda)",
                             "(the notebook stops here: fix the step and run this cell again)")]


def setup(impl="exercises") -> Path:
    """Work from the kata root and import the step modules of `impl` by their plain names.

    Returns the root. Re-running it with another `impl` swaps the folder on `sys.path`.
    """
    from kata import quiet
    from kata.impl import resolve
    from kata.paths import exercises_dir, find_root, solutions_dir

    quiet.tensorflow()   # now, so its C++ start-up lines never land in a cell's output
    root = find_root()
    folder = str(resolve(impl, root))
    known = {str(exercises_dir(root)), str(solutions_dir(root)), folder}   # solutions/ may not exist (a release)
    sys.path[:] = [folder] + [p for p in sys.path if p not in known]
    for name in [s.module for s in manifest.steps(root)]:
        loaded = sys.modules.get(name)
        if loaded is not None and str(Path(getattr(loaded, "__file__", "") or "").parent) != folder:
            del sys.modules[name]  # imported from another folder: import it again from this one
    os.chdir(root)
    _IMPL["name"] = impl
    _serve_checks(root)
    print(t(f"Carpeta de la kata: {root}\nTu código se importa de: {folder}",
            f"Kata folder: {root}\nYour code is imported from: {folder}"))
    return root


def _serve_checks(root) -> None:
    """This kernel answers `kata check` from a terminal too (once per kernel; see `kata.warm`)."""
    if "judge" in _IMPL:
        return
    from IPython import get_ipython

    from kata import warm

    shell = get_ipython()
    kernel = getattr(shell, "kernel", None)
    _IMPL["judge"] = warm.serve_from_kernel(root, kernel) if getattr(kernel, "io_loop", None) else None


def where(step_id: str) -> None:
    """Show the file to edit and, per function, its line and whether it is still a stub."""
    import ast

    from IPython.display import display

    from kata.impl import resolve
    from kata.stubs import function_is_stub

    step = manifest.get(step_id)
    path = resolve(_IMPL["name"]) / step.filename
    lines = [t(f"Edita · Edit: {path}", f"Edit · Edita: {path}")]
    if path.is_file():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in step.functions:
                todo = function_is_stub(node)
                state = t("por hacer · to do", "to do · por hacer") if todo else t("escrita · written", "written · escrita")
                lines.append(f"  {path.name}:{node.lineno}  def {node.name}({ast.unparse(node.args)})  [{state}]")
    else:
        lines.append(t("  (el fichero no existe: `kata reset {0}` lo crea)".format(step.id),
                       "  (the file is missing: `kata reset {0}` creates it)".format(step.id)))
    link = f"[{path.name}](../{path.relative_to(path.parents[1]).as_posix()})"
    display({"text/plain": "\n".join(lines), "text/markdown": "\n\n".join([link, *(f"`{x.strip()}`" for x in lines[1:])])},
            raw=True)


def check(step_id: str) -> bool:
    """`kata.check(step_id)` on the notebook's implementation; raises StepNotDone when it fails."""
    import kata

    digest = io.StringIO()
    with contextlib.redirect_stdout(digest):
        ok = kata.check(step_id, impl=_IMPL["name"])
    text = digest.getvalue().strip()
    if not ok:
        raise StepNotDone(text)
    print(text)
    return True


def limit(data, train=None, test=None):
    """(train_X, train_y, test_X, test_y) cut to the first `train` and `test` images (None: all)."""
    train_X, train_y, test_X, test_y = data
    return train_X[:train], train_y[:train], test_X[:test], test_y[:test]


def show(fig):
    """Draw a matplotlib figure in the notebook once (and free it)."""
    import matplotlib.pyplot as plt
    from IPython.display import display

    display(fig)
    plt.close(fig)


class ProgressBar:
    """A live progress bar for `train(..., on_batch=, on_epoch=)` and for Keras's `fit`.

    It redraws one output in place, every `1/steps` of an epoch, so a long run stays one line.
    """

    STEPS = 40

    def __init__(self, epochs: int):
        from IPython.display import display

        self.epochs = epochs
        self.done = 0.0
        self.text = t("esperando el primer lote…", "waiting for the first batch…")
        self.handle = display(self._bundle(), raw=True, display_id=True)

    def on_batch(self, epoch, batch, n_batches, loss, accuracy):
        """train's `on_batch(epoch, batch, n_batches, loss, accuracy)`."""
        every = max(1, n_batches // self.STEPS)
        if (batch + 1) % every == 0 or batch + 1 == n_batches:
            self.done = epoch + (batch + 1) / n_batches
            self.text = f"loss {loss:.4f} · accuracy {accuracy:.4f}"
            self._draw()

    def on_epoch(self, epoch, metrics):
        """train's `on_epoch(epoch, metrics)`: metrics holds the four per-epoch values."""
        self.done = epoch + 1
        self.text = " · ".join(f"{k} {v:.4f}" for k, v in metrics.items())
        self._draw()

    def keras_callback(self):
        """The same bar as a `keras.callbacks.Callback` for `model.fit(callbacks=[...])`."""
        import keras

        bar = self

        class _Bar(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.epoch = epoch

            def on_train_batch_end(self, batch, logs=None):
                logs = logs or {}
                bar.on_batch(self.epoch, batch, self.params.get("steps") or batch + 1,
                             logs.get("loss", float("nan")), logs.get("accuracy", float("nan")))

            def on_epoch_end(self, epoch, logs=None):
                bar.on_epoch(epoch, dict(logs or {}))

        return _Bar()

    def _bundle(self) -> dict:
        fraction = min(1.0, self.done / max(1, self.epochs))
        filled = round(fraction * 30)
        epoch = min(self.epochs, int(self.done) + 1)
        label = f"{t('época', 'epoch')} {epoch}/{self.epochs} {fraction:4.0%}"
        plain = f"{label} |{'█' * filled}{'·' * (30 - filled)}| {self.text}"
        html = (f'<div style="font-family:monospace"><progress value="{fraction:.4f}" max="1" '
                f'style="width:22em"></progress> {label} · {self.text}</div>')
        return {"text/plain": plain, "text/html": html}

    def _draw(self):
        self.handle.update(self._bundle(), raw=True)
