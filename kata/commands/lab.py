"""`kata lab`: JupyterLab on the kata folder, without Docker (the Docker image runs the same)."""

import sys

from kata.paths import find_root


def register(sub):
    p = sub.add_parser(
        "lab",
        help="start JupyterLab on the kata folder (token from JUPYTER_TOKEN or generated) · abre JupyterLab",
        description="Start JupyterLab on the kata folder. The token is JUPYTER_TOKEN, or a random one "
                    "printed with the URL. Listening beyond 127.0.0.1 needs JUPYTER_TOKEN set.",
    )
    p.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8888, help="port (default 8888)")
    p.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    p.add_argument("--allow-root", action="store_true",
                   help="let JupyterLab run as root (CI machines; the Docker image runs as a normal user)")
    p.set_defaults(func=run_lab)


def run_lab(args) -> int:
    from kata import lab

    try:
        chosen = lab.settings(find_root(), ip=args.ip, port=args.port, open_browser=not args.no_browser,
                               allow_root=args.allow_root)
    except lab.LabError as err:
        print(f"kata lab: {err}", file=sys.stderr)
        return 2
    lab.run(chosen)
    return 0
