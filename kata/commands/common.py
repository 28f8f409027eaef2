"""What the learner's commands share: `--lang`, errors on stderr, and choosing the step."""

import argparse
import os
import sys

from kata.i18n import LANGUAGES, t


def add_lang(parser, *, top=False) -> None:
    """`--lang es|en`; on a sub-command it does not override a `--lang` given before it."""
    parser.add_argument("--lang", choices=LANGUAGES, default=None if top else argparse.SUPPRESS,
                        help=t("idioma de los mensajes (por defecto: KATA_LANG, después el locale)",
                               "language of the messages (default: KATA_LANG, then the locale)"))


def apply_lang(args) -> None:
    """Make `--lang` reach every message, the tests' own feedback included."""
    if getattr(args, "lang", None):
        os.environ["KATA_LANG"] = args.lang


def error(text: str, code: int = 2) -> int:
    print(text, file=sys.stderr)
    return code


def choose_step(step_id, root):
    """(step, None), or (None, exit code) after printing the error that lists the steps."""
    from kata import manifest, status

    try:
        return status.choose(step_id, root), None
    except manifest.ManifestError:
        names = ", ".join(s.id for s in manifest.steps(root))
        return None, error(t(f"kata: no hay ningún paso {step_id!r}; los pasos son: {names}",
                             f"kata: there is no step {step_id!r}; the steps are: {names}"))
