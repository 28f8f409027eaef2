"""The `kata` command. Each learner's sub-command lives in a module under `kata/commands/` that
exposes `register(subparsers)`; other installed packages add theirs through the entry-point group
`cnn_kata.commands` (the instructor's `kata dev …` does), so a student release offers only what it has.
"""

import argparse
import contextlib
import importlib
import os
import sys
from importlib.metadata import entry_points

from kata import __version__
from kata.argparse_es import spanish
from kata.i18n import LANGUAGES, t

COMMAND_MODULES = (
    "kata.commands.status",     # status (and a bare `kata`)
    "kata.commands.check",
    "kata.commands.hint",
    "kata.commands.watch",
    "kata.commands.reset",
    "kata.commands.train",      # train, compare
    "kata.commands.lab",
    "kata.commands.submit",     # submit (hand in to the class server)
)
PLUGIN_GROUP = "cnn_kata.commands"


class KataParser(argparse.ArgumentParser):
    """No abbreviated options: `--out` must never be read as `--output-limit`."""

    def __init__(self, *args, **kwargs):
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)


def parser() -> argparse.ArgumentParser:
    from kata.commands.common import add_lang

    top = KataParser(prog="kata", description=t(
        "cnn-kata: construye una red convolucional para Fashion-MNIST paso a paso. Sin orden, `kata` muestra tu progreso.",
        "cnn-kata: build a convolutional network for Fashion-MNIST step by step. With no command, `kata` shows your progress."))
    top.add_argument("--version", action="version", version=f"cnn-kata {__version__}",
                     help=t("muestra la versión y termina", "show the version and exit"))
    add_lang(top, top=True)
    sub = top.add_subparsers(dest="command", metavar=t("ORDEN", "COMMAND"))
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    for plugin in entry_points(group=PLUGIN_GROUP):
        try:
            register = plugin.load()
        except ImportError:   # registered by an install whose package is no longer there
            continue
        register(sub)
    return top


def early_lang(argv):
    """The `--lang` of the command line, read before the parser is built so that `kata --lang en
    --help` is all English; None when there is none."""
    pre = _SilentParser(add_help=False, allow_abbrev=False)
    pre.add_argument("--lang", choices=LANGUAGES)
    try:
        known, _ = pre.parse_known_args(argv)
    except ValueError:      # a wrong value: the real parser says so, in the default language
        return None
    return known.lang


class _SilentParser(argparse.ArgumentParser):
    def error(self, message):
        raise ValueError(message)


def command_word(argv):
    """The first word that is not an option or the value of `--lang`: the sub-command."""
    words = iter(argv)
    for word in words:
        if word == "--lang":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    lang, before = early_lang(argv), os.environ.get("KATA_LANG")
    try:
        if lang:
            os.environ["KATA_LANG"] = lang
        # `kata dev` is the instructors' and its help is English: argparse's words stay English there too.
        with (contextlib.nullcontext() if command_word(argv) == "dev" else spanish()):
            top = parser()
            args = top.parse_args(argv)
            if args.command is None:  # a bare `kata` (or `kata --lang en`) shows the progress
                args = top.parse_args([*argv, "status"])
        code = int(args.func(args) or 0)
        sys.stdout.flush()
        return code
    except SystemExit:      # --help, --version or a usage error: leave the caller's environment as it was
        if before is None:
            os.environ.pop("KATA_LANG", None)
        else:
            os.environ["KATA_LANG"] = before
        raise
    except KeyboardInterrupt:
        print(t("\ninterrumpido", "\ninterrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `kata | head` closed our output early: nothing is wrong, and nothing more can be said.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
