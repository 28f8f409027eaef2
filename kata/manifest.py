"""The steps and tracks of the kata, read from `kata/steps.toml` (the one source of truth).

Every per-step fact lives there or in a file it names (`lessons/<step>.md`): ids, modules,
functions, tracks, titles, points, hints, lessons, and which steps each track trains with.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from kata.i18n import LANGUAGES, language
from kata.paths import find_root

FORMAT = 1
MANIFEST = Path("kata") / "steps.toml"
GLOSSARY = Path("kata") / "glossary.toml"   # the one Spanish word for each idea, beside the manifest


class ManifestError(ValueError):
    """The manifest is malformed, or a step name is unknown."""


@dataclass(frozen=True)
class Lesson:
    """A step's explanation for the notebooks, {lang: Markdown}, and an optional cell of code."""

    texts: dict
    try_code: str = ""

    def text(self, lang=None) -> str:
        return self.texts.get(language(lang), "")


@dataclass(frozen=True)
class Step:
    id: str
    module: str
    functions: tuple
    uses: tuple
    track: str
    points: float
    titles: dict
    hints_by_lang: dict
    number: int
    lesson_path: str = ""
    ranks: dict = None        # {function: {argument: rank}}

    @property
    def filename(self) -> str:
        return f"{self.module}.py"

    def title(self, lang=None) -> str:
        return self.titles[language(lang)]

    def hints(self, lang=None) -> list:
        return list(self.hints_by_lang[language(lang)])


@dataclass(frozen=True)
class Track:
    id: str
    notebook: str
    titles: dict
    trains_with: tuple

    def title(self, lang=None) -> str:
        return self.titles[language(lang)]


@dataclass(frozen=True)
class Manifest:
    path: Path
    steps: tuple
    tracks: tuple


def _points(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ManifestError(f"{where}: points must be a number ≥ 0, got {value!r}")
    return int(value) if float(value).is_integer() else float(value)


def _step(raw: dict, number: int, path: Path) -> Step:
    where = f"{path}: step {number}"
    try:
        step = Step(
            id=raw["id"],
            module=raw["module"],
            functions=tuple(raw["functions"]),
            uses=tuple(raw.get("uses", ())),
            track=raw["track"],
            points=_points(raw["points"], where),
            titles=dict(raw["title"]),
            hints_by_lang={lang: tuple(h) for lang, h in raw["hints"].items()},
            number=number,
            lesson_path=raw.get("lesson", ""),
            ranks={f: dict(args) for f, args in raw.get("ranks", {}).items()},
        )
    except KeyError as missing:
        raise ManifestError(f"{where} lacks the key {missing}") from None
    for lang in LANGUAGES:
        if lang not in step.titles or lang not in step.hints_by_lang:
            raise ManifestError(f"{where} ({step.id}) needs a title and hints in {lang!r}")
    return step


def _track(raw: dict, path: Path) -> Track:
    try:
        return Track(id=raw["id"], notebook=raw["notebook"], titles=dict(raw["title"]),
                     trains_with=tuple(raw["trains_with"]))
    except KeyError as missing:
        raise ManifestError(f"{path}: a [[track]] lacks the key {missing}") from None


@lru_cache(maxsize=16)
def _load(path: Path, version=None) -> Manifest:
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ManifestError(f"{path} is missing: is this a copy of the kata?") from None
    except tomllib.TOMLDecodeError as err:
        raise ManifestError(f"{path} is not valid TOML: {err}") from None
    if data.get("format") != FORMAT:
        raise ManifestError(f"{path} has format {data.get('format')!r}; this kata reads format {FORMAT}: "
                            f"update the kata (pip install -e .) or the manifest")
    steps = tuple(_step(raw, n, path) for n, raw in enumerate(data.get("step", []), start=1))
    tracks = tuple(_track(raw, path) for raw in data.get("track", []))
    return Manifest(path, steps, tracks)


def load(root=None) -> Manifest:
    path = (Path(root or find_root()) / MANIFEST).resolve()
    try:
        seen = path.stat()
        version = (seen.st_mtime_ns, seen.st_size)    # an edited manifest is read again
    except OSError:
        version = None
    return _load(path, version)


def steps(root=None, track=None) -> list:
    """The steps in course order, optionally only one track ('tensorflow' or 'keras')."""
    return [s for s in load(root).steps if track is None or s.track == track]


def tracks(root=None) -> list:
    return list(load(root).tracks)


def track(track_id: str, root=None) -> Track:
    for found in tracks(root):
        if found.id == track_id:
            return found
    raise ManifestError(f"unknown track {track_id!r}; the tracks are: {', '.join(t.id for t in tracks(root))}")


def get(step_id: str, root=None) -> Step:
    """The step called `step_id` (its id or its module name)."""
    for s in steps(root):
        if step_id in (s.id, s.module):
            return s
    names = ", ".join(s.id for s in steps(root))
    raise ManifestError(f"unknown step {step_id!r}; the steps are: {names}")


def by_module(module: str, root=None) -> Step:
    for s in steps(root):
        if s.module == module:
            return s
    raise ManifestError(f"no step lives in the module {module!r}")


def dependencies(step: Step, root=None) -> list:
    """The modules a step's module imports, directly or through them, dependencies first."""
    order = []

    def visit(module):
        for used in by_module(module, root).uses:
            if used not in order:
                visit(used)
                order.append(used)

    visit(step.module)
    return order


_HEADING = re.compile(r"^## (es|en|try)\s*$", re.MULTILINE)


def lesson(step: Step, root=None) -> Lesson:
    """The step's lesson file: `## es`, `## en` and an optional `## try` holding one ```python block."""
    if not step.lesson_path:
        return Lesson({})
    path = Path(root or find_root()) / "kata" / step.lesson_path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestError(f"{path}, the lesson of step {step.id!r}, is missing") from None
    parts = _HEADING.split(text)
    sections = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
    code = sections.pop("try", "")
    if code:
        match = re.fullmatch(r"```python\n(.*?)\n```", code, re.DOTALL)
        if not match:
            raise ManifestError(f"{path}: the '## try' section must hold one ```python block")
        code = match.group(1)
    # Paragraphs are wrapped in the file for reading; a notebook gets each paragraph on one line.
    texts = {lang: "\n\n".join(" ".join(p.split()) for p in body.split("\n\n")) for lang, body in sections.items()}
    return Lesson(texts, code)


def glossary(root=None) -> list:
    """The terms of kata/glossary.toml: each a dict with `es`, `en`, and perhaps `note` and `avoid`."""
    with open(Path(root or find_root()) / GLOSSARY, "rb") as handle:
        return tomllib.load(handle)["term"]
