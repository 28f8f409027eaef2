"""The list of steps, read from `kata/steps.toml` (the one source of truth)."""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from kata.i18n import language
from kata.paths import find_root


class ManifestError(ValueError):
    """The manifest is malformed, or a step name is unknown."""


@dataclass(frozen=True)
class Step:
    id: str
    module: str
    functions: tuple
    uses: tuple
    track: str
    points: int
    titles: dict
    hints_by_lang: dict
    number: int

    @property
    def filename(self) -> str:
        return f"{self.module}.py"

    def title(self, lang=None) -> str:
        return self.titles[language(lang)]

    def hints(self, lang=None) -> list:
        return list(self.hints_by_lang[language(lang)])


def _step(raw: dict, number: int, path: Path) -> Step:
    try:
        return Step(
            id=raw["id"],
            module=raw["module"],
            functions=tuple(raw["functions"]),
            uses=tuple(raw.get("uses", ())),
            track=raw.get("track", "tensorflow"),
            points=int(raw["points"]),
            titles=dict(raw["title"]),
            hints_by_lang={lang: tuple(h) for lang, h in raw["hints"].items()},
            number=number,
        )
    except KeyError as missing:
        raise ManifestError(f"{path}: step {number} lacks the key {missing}") from None


@lru_cache(maxsize=None)
def _load(path: Path) -> tuple:
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    return tuple(_step(raw, n, path) for n, raw in enumerate(data["step"], start=1))


def steps(root=None, track=None) -> list:
    """The steps in course order, optionally only one track ('tensorflow' or 'keras')."""
    path = Path(root or find_root()) / "kata" / "steps.toml"
    found = _load(path.resolve())
    return [s for s in found if track is None or s.track == track]


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
