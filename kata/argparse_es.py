"""argparse's own words (usage, options, its error lines) in Spanish when the learner reads Spanish.

argparse looks each of its strings up through `argparse._` (gettext) when it builds a parser and
when it reports an error; Python ships no Spanish catalogue for it, so `spanish()` swaps in this
table for as long as the `kata` command runs. Strings not in the table stay as argparse wrote them.
"""

import argparse
import contextlib

from kata.i18n import language

SPANISH = {
    "usage: ": "uso: ",
    "positional arguments": "argumentos",
    "options": "opciones",
    "show this help message and exit": "muestra esta ayuda y termina",
    "show program's version number and exit": "muestra la versión y termina",
    "%(prog)s: error: %(message)s\n": "%(prog)s: error: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argumento %(argument_name)s: %(message)s",
    "the following arguments are required: %s": "faltan estos argumentos: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "%(value)r no es una opción válida (elige entre %(choices)s)",
    "invalid %(type)s value: %(value)r": "%(value)r no es un valor %(type)s válido",
    "unrecognized arguments: %s": "argumentos desconocidos: %s",
    "expected one argument": "falta un valor",
    "expected at most one argument": "se espera como mucho un valor",
    "expected at least one argument": "se espera al menos un valor",
    "ambiguous option: %(option)s could match %(matches)s": "opción ambigua: %(option)s puede ser %(matches)s",
    "not allowed with argument %s": "no se puede usar junto con %s",
    "one of the arguments %s is required": "hace falta uno de estos argumentos: %s",
    "ignored explicit argument %r": "argumento %r ignorado",
    "can't open '%(filename)s': %(error)s": "no se puede abrir '%(filename)s': %(error)s",
}


def translate(text: str) -> str:
    return SPANISH.get(text, text)


@contextlib.contextmanager
def spanish(lang=None):
    """Inside the block argparse speaks Spanish, unless the chosen language is English."""
    if language(lang) == "en":
        yield
        return
    original = argparse._
    argparse._ = translate
    try:
        yield
    finally:
        argparse._ = original
