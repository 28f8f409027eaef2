"""Spanish or English for everything a learner reads.

The language comes from `--lang`, then `KATA_LANG`, then the locale (`LC_ALL`, `LC_MESSAGES`,
`LANG`); Spanish when none says English, since the course is taught in Spanish.
"""

import os

LANGUAGES = ("es", "en")


def language(explicit=None) -> str:
    """'es' or 'en'."""
    for value in (explicit, os.environ.get("KATA_LANG")):
        if value:
            code = value.strip().lower()[:2]
            if code in LANGUAGES:
                return code
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return "en" if value.lower().startswith("en") else "es"
    return "es"


def t(es: str, en: str, lang=None) -> str:
    """The text in the chosen language."""
    return en if language(lang) == "en" else es


def number(value, lang=None) -> str:
    """A count or a score as people write it: 2, not 2.0; 1.5 as "1,5" in Spanish and "1.5" in English."""
    value = float(value)
    text = str(int(value)) if value.is_integer() else f"{value:g}"
    return text.replace(".", ",") if language(lang) == "es" else text


def decimal(value, places: int, lang=None) -> str:
    """A measurement with a fixed number of decimals: "0,8123" in Spanish, "0.8123" in English."""
    text = f"{float(value):.{places}f}"
    return text.replace(".", ",") if language(lang) == "es" else text


def count(n: int, es: tuple, en: tuple, lang=None) -> str:
    """'1 época', '3 épocas' · '1 epoch', '3 epochs': es and en are (singular, plural)."""
    one, many = en if language(lang) == "en" else es
    return f"{n} {one if n == 1 else many}"
