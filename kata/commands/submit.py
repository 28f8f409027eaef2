"""`kata submit`: hand in your step modules to the class server (see kata/handin.py)."""

from kata.commands.common import add_lang, apply_lang, error
from kata.i18n import t


def register(sub):
    p = sub.add_parser("submit", help=t("entrega tus ficheros de exercises/ al servidor de la clase",
                                        "hand in your files from exercises/ to the class server"),
                       description=t(
                           "Entrega tus ficheros de exercises/ al servicio de entregas del servidor de la clase. "
                           "Cada entrega queda guardada con su hora y su huella; tu profesor corrige la última.",
                           "Hand in your files from exercises/ to the class server's hand-in service. Every hand-in "
                           "is kept with its time and fingerprint; your instructor grades the latest."))
    p.add_argument("--list", action="store_true", help=t("muestra tus entregas, sin entregar nada",
                                                         "show your hand-ins, without handing in anything"))
    add_lang(p)
    p.set_defaults(func=run_submit)


def run_submit(args) -> int:
    from kata import handin

    apply_lang(args)
    try:
        if args.list:
            print(handin.describe_history(handin.history()))
        else:
            handin.submit()
    except handin.HandinError as refused:
        return error(str(refused), 1)
    return 0
