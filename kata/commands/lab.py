"""`kata lab`: JupyterLab on the kata folder, without Docker (the Docker image runs the same)."""

import sys

from kata.commands.common import add_lang, apply_lang
from kata.i18n import t
from kata.paths import find_root


def register(sub):
    p = sub.add_parser(
        "lab",
        help=t("abre JupyterLab en la carpeta de la kata (token de JUPYTER_TOKEN o uno nuevo)",
               "start JupyterLab on the kata folder (token from JUPYTER_TOKEN or generated)"),
        description=t("Abre JupyterLab en la carpeta de la kata. El token es JUPYTER_TOKEN, o uno al azar que se "
                      "muestra con la dirección. Para escuchar en una dirección distinta de 127.0.0.1 hay que definir "
                      "JUPYTER_TOKEN.",
                      "Start JupyterLab on the kata folder. The token is JUPYTER_TOKEN, or a random one "
                      "printed with the URL. Listening beyond 127.0.0.1 needs JUPYTER_TOKEN set."),
    )
    p.add_argument("--ip", default="127.0.0.1", help=t(
        "dirección en la que escucha (por defecto 127.0.0.1: solo esta máquina)",
        "address to listen on (default 127.0.0.1: this machine only)"))
    p.add_argument("--port", type=int, default=8888, help=t("puerto (por defecto 8888)", "port (default 8888)"))
    p.add_argument("--no-browser", action="store_true", help=t("no abre el navegador", "do not open a web browser"))
    p.add_argument("--allow-root", action="store_true", help=t(
        "deja que JupyterLab se ejecute como root (máquinas de CI; la imagen Docker usa un usuario normal)",
        "let JupyterLab run as root (CI machines; the Docker image runs as a normal user)"))
    p.add_argument("--verbose", action="store_true", help=t(
        "muestra aquí el registro de Jupyter (si no, va a .kata/lab-PUERTO.log)",
        "show Jupyter's log here (otherwise it goes to .kata/lab-PORT.log)"))
    add_lang(p)
    p.set_defaults(func=run_lab)


def run_lab(args) -> int:
    from kata import lab

    apply_lang(args)
    try:
        chosen = lab.preflight(lab.settings(find_root(), ip=args.ip, port=args.port,
                                            open_browser=not args.no_browser, allow_root=args.allow_root,
                                            verbose=args.verbose))
    except lab.LabError as err:
        print(f"kata lab: {err}", file=sys.stderr)
        return 2
    return lab.run(chosen)
