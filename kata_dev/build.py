"""`kata dev build`: regenerate everything that is derived from `solutions/` and the manifest.

Each generator maps the kata root to {relative path: file text}. `build` writes what changed
(temporary file, then rename); `stale` lists what differs, which a test uses to catch drift.
"""

from pathlib import Path

from kata import manifest
from kata.files import write_atomic
from kata.paths import find_root
from kata.stubs import stub_text


def exercise_files(root: Path) -> dict:
    """exercises/<module>.py for every step, stubbed from solutions/<module>.py."""
    return {f"exercises/{step.filename}": stub_text(step, root) for step in manifest.steps(root)}


def generators() -> tuple:
    """(what, function) pairs; each function takes the root and returns {relative path: text}."""
    from kata_dev import nbgrader_source, notebooks

    return (("exercise stubs", exercise_files),
            ("nbgrader source notebook", nbgrader_source.notebook_files),
            ("student notebooks", notebooks.notebook_files))


def generated(root=None) -> dict:
    """Every generated file, {relative path: text}."""
    root = Path(root or find_root())
    files = {}
    for _, make in generators():
        files.update(make(root))
    return files


def stale(root=None) -> list:
    """Generated files whose committed text differs from what `build` would write."""
    root = Path(root or find_root())
    differing = []
    for rel, text in generated(root).items():
        path = root / rel
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            differing.append(rel)
    return sorted(differing)


def build(root=None) -> list:
    """Write the generated files that changed; returns their relative paths."""
    root = Path(root or find_root())
    files = generated(root)
    changed = [rel for rel, text in files.items()
               if not (root / rel).is_file() or (root / rel).read_text(encoding="utf-8") != text]
    for rel in sorted(changed):
        write_atomic(root / rel, files[rel])
    return sorted(changed)
