"""`kata dev check`: the kata proves it is whole, in both directions (like rustlings' `dev check`).

From the manifest out: every step has a solution, a stub in sync with it, a suite, a lesson, hints
in both languages, at least MIN_MUTANTS mutants and one alternative, and every step a track trains
with has a quick probe in `kata train`. From the files in: every solution, stub, suite, lesson,
mutant and alternative names a real step; the README's step table is the manifest's; no generated
file is stale. `problems(root)` lists what is wrong (empty when all is well); `--prove` also runs
the proofs (see kata_dev/proof.py). And imports run one way: `kata` never imports `kata_dev`.
"""

import re
from pathlib import Path

from kata import manifest
from kata.i18n import LANGUAGES
from kata.paths import find_root, suite_path

MIN_MUTANTS = 3
MIN_ALTERNATIVES = 1
HINTS_PER_LANGUAGE = 3
# A call with something between its parentheses, like tf.nn.conv2d(x, W, …): the code itself.
CALL_WITH_ARGUMENTS = re.compile(r"[A-Za-z_][\w.]*\((?=[^)\s])(?:[^()]|\([^()]*\))+\)")
# A library's name, like tf.nn or np.eye: the API, which the first hint leaves for the second.
API_NAME = re.compile(r"\b(?:tf|np|keras|layers|plt|ax|fig|model|input_data)(?:\.\w+)+")
VARIANT_KINDS = {"mutants": MIN_MUTANTS, "alternatives": MIN_ALTERNATIVES}


def problems(root=None) -> list:
    """Every reason the kata at `root` is not whole, as sentences naming the file and the fix."""
    root = Path(root or find_root())
    found = []
    for check in (_steps_have_their_files, _hints_go_from_idea_to_code, _files_name_real_steps,
                  _tracks_are_trainable, _readme_table_is_the_manifests, _generated_files_are_current,
                  _imports_run_one_way):
        found.extend(check(root))
    return found


def _steps_have_their_files(root: Path) -> list:
    out = []
    for step in manifest.steps(root):
        where = f"step {step.id!r}"
        if not (root / "solutions" / step.filename).is_file():
            out.append(f"{where}: solutions/{step.filename} is missing; write the reference solution")
        if not suite_path(step, root).is_file():
            out.append(f"{where}: {suite_path(step, '.').as_posix()} is missing; write its test suite")
        if not step.lesson_path or not (root / "kata" / step.lesson_path).is_file():
            out.append(f"{where}: its lesson (lesson = \"lessons/{step.id}.md\" in kata/steps.toml) is missing")
        else:
            try:
                lesson = manifest.lesson(step, root)
            except manifest.ManifestError as err:
                out.append(str(err))
            else:
                missing = [lang for lang in LANGUAGES if not lesson.text(lang)]
                if missing:
                    out.append(f"{where}: kata/{step.lesson_path} lacks a '## {missing[0]}' section")
        for lang in LANGUAGES:
            if len(step.hints(lang)) != HINTS_PER_LANGUAGE:
                out.append(f"{where}: {len(step.hints(lang))} hints in {lang!r}; give exactly {HINTS_PER_LANGUAGE}")
        for kind, least in VARIANT_KINDS.items():
            count = len(list((root / "tests" / "project" / kind / step.id).glob("[!_]*.py")))
            if count < least:
                out.append(f"{where}: {count} {kind} in tests/project/{kind}/{step.id}/; add at least {least}")
    return out


def _hints_go_from_idea_to_code(root: Path) -> list:
    """Hint 1 gives the idea (no API), hint 2 the API (no call written out), hint 3 the code's shape."""
    out = []
    for step in manifest.steps(root):
        for lang in LANGUAGES:
            hints = step.hints(lang)
            if len(hints) != HINTS_PER_LANGUAGE:
                continue      # counted in _steps_have_their_files
            where = f"step {step.id!r}, {lang} hint"
            for number, hint in enumerate(hints[:2], start=1):
                call = CALL_WITH_ARGUMENTS.search(hint)
                if call:
                    out.append(f"{where} {number} writes the call {call.group()!r}; leave whole calls for hint 3")
            api = API_NAME.search(hints[0])
            if api:
                out.append(f"{where} 1 names the API ({api.group()}); say the idea first and name functions in hint 2")
            if not API_NAME.search(hints[1]):
                out.append(f"{where} 2 names no function (tf.…, np.…, keras.…, plt.…); the second hint gives the API")
            if not CALL_WITH_ARGUMENTS.search(hints[2]):
                out.append(f"{where} 3 writes no call; show the shape of the code, e.g. tf.nn.relu(x)")
    return out


def _files_name_real_steps(root: Path) -> list:
    steps = manifest.steps(root)
    ids, modules = {s.id for s in steps}, {s.module for s in steps}
    lessons = {s.lesson_path for s in steps}
    out = []
    for folder in ("solutions", "exercises"):
        for path in sorted((root / folder).glob("*.py")):
            if path.stem not in modules:
                out.append(f"{folder}/{path.name} belongs to no step of kata/steps.toml; remove it or add the step")
    for suites in ("steps", "hidden"):
        for path in sorted((root / "tests" / suites).glob("test_*.py")):
            if path.stem.removeprefix("test_") not in ids:
                out.append(f"tests/{suites}/{path.name} names no step of kata/steps.toml; rename it test_<step id>.py")
    for path in sorted((root / "kata" / "lessons").glob("*")):
        if f"lessons/{path.name}" not in lessons:
            out.append(f"kata/lessons/{path.name} is the lesson of no step; name it in kata/steps.toml or remove it")
    for kind in VARIANT_KINDS:
        base = root / "tests" / "project" / kind
        for folder in sorted(p for p in base.glob("*") if p.is_dir() and not p.name.startswith(("_", "."))):
            if folder.name not in ids:
                out.append(f"tests/project/{kind}/{folder.name}/ names no step id; known ids: {', '.join(sorted(ids))}")
    return out


def _tracks_are_trainable(root: Path) -> list:
    from kata.training import PROBES

    ids = {s.id for s in manifest.steps(root)}
    out = []
    for track in manifest.tracks(root):
        for step_id in track.trains_with:
            if step_id not in ids:
                out.append(f"track {track.id!r} trains with {step_id!r}, which is no step of kata/steps.toml")
            elif step_id not in PROBES:
                out.append(f"track {track.id!r} trains with {step_id!r}, which has no probe in kata/training.py PROBES")
    for step in manifest.steps(root):
        if step.track not in {t.id for t in manifest.tracks(root)}:
            out.append(f"step {step.id!r} belongs to track {step.track!r}, which kata/steps.toml does not define")
    out += [f"kata/training.py PROBES names {name!r}, which is no step" for name in sorted(set(PROBES) - ids)]
    return out


_ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*`([^`]+)`\s*\|\s*`exercises/([^`]+)`\s*\|")


def readme_step_rows(text: str) -> list:
    """(number, step id, file name) of each row of the README's step table."""
    return [(int(m[1]), m[2], m[3]) for m in map(_ROW.match, text.splitlines()) if m]


def _readme_table_is_the_manifests(root: Path) -> list:
    readme = root / "README.md"
    if not readme.is_file():
        return []
    rows = readme_step_rows(readme.read_text(encoding="utf-8"))
    expected = [(s.number, s.id, s.filename) for s in manifest.steps(root)]
    if rows != expected:
        return [f"README.md: the step table lists {rows} but kata/steps.toml has {expected}; "
                f"make the table's # | step | file columns match the manifest"]
    return []


def _imports_run_one_way(root: Path) -> list:
    """The learner's package never imports the instructor's (a release would break)."""
    import ast

    out = []
    for path in sorted((root / "kata").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(name == "kata_dev" or name.startswith("kata_dev.") for name in names):
                out.append(f"{path.relative_to(root).as_posix()}, line {node.lineno}: the learner's package imports "
                           f"kata_dev, which a student release does not have; move that code into kata_dev")
    return out


def _generated_files_are_current(root: Path) -> list:
    from kata_dev import build

    try:
        return [f"{rel} is out of date: run `kata dev build`" for rel in build.stale(root)]
    except (manifest.ManifestError, OSError) as err:   # named already by the checks above
        return [f"the generated files cannot be made: {err}"]
