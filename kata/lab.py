"""The Jupyter workbench: one JupyterLab configuration for `kata lab` and for the Docker image.

`lab_command` builds the `python -m jupyterlab` command line; `run` checks the address and the
token, prints the URL and replaces this process with JupyterLab (so signals, and `docker stop`,
reach the server directly). The token travels in the `JUPYTER_TOKEN` environment variable, never
on the command line, where `ps` would show it to every user of the machine.
"""

import ipaddress
import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

from kata.i18n import t

JUPYTER_CONFIG = Path(__file__).resolve().parent / "jupyter"

DEFAULT_IP = "127.0.0.1"
DEFAULT_PORT = 8888
TOKEN_ENV = "JUPYTER_TOKEN"
MIN_TOKEN_LENGTH = 16


class LabError(Exception):
    """The workbench cannot start as asked; the message says why and what to do."""


@dataclass(frozen=True)
class LabSettings:
    """Where and how JupyterLab listens."""

    root: Path
    ip: str = DEFAULT_IP
    port: int = DEFAULT_PORT
    token: str = ""
    token_generated: bool = False
    open_browser: bool = True
    allow_root: bool = False

    @property
    def url(self) -> str:
        """The address to open; a wildcard bind is reached through 127.0.0.1 (Docker's published port)."""
        host = "127.0.0.1" if is_wildcard(self.ip) else self.ip
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/lab?token={self.token}"


def is_wildcard(ip: str) -> bool:
    return ip in ("0.0.0.0", "::", "")


def is_loopback(ip: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if ip == "localhost":
        return True
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def settings(root, ip=DEFAULT_IP, port=DEFAULT_PORT, open_browser=True, allow_root=False,
             environ=None) -> LabSettings:
    """Check the request and pick the token: `JUPYTER_TOKEN` if set, else a random one.

    Listening beyond this machine (e.g. `--ip 0.0.0.0` in a container) needs a token chosen on
    purpose, set in the environment: a generated one would only be readable in the server's log.
    """
    environ = os.environ if environ is None else environ
    token = environ.get(TOKEN_ENV, "").strip()
    if not 0 < port < 65536:
        raise LabError(t(f"--port {port}: el puerto debe estar entre 1 y 65535",
                         f"--port {port}: the port must lie between 1 and 65535"))
    if not is_loopback(ip):
        if not token:
            raise LabError(t(
                f"--ip {ip} abre JupyterLab a otras máquinas: define antes un token en {TOKEN_ENV} "
                "(python -c \"import secrets; print(secrets.token_hex(24))\") o usa --ip 127.0.0.1",
                f"--ip {ip} opens JupyterLab to other machines: first set a token in {TOKEN_ENV} "
                "(python -c \"import secrets; print(secrets.token_hex(24))\") or use --ip 127.0.0.1"))
        if len(token) < MIN_TOKEN_LENGTH:
            raise LabError(t(
                f"{TOKEN_ENV} tiene {len(token)} caracteres; con --ip {ip} usa al menos {MIN_TOKEN_LENGTH} "
                "(python -c \"import secrets; print(secrets.token_hex(24))\")",
                f"{TOKEN_ENV} has {len(token)} characters; with --ip {ip} use at least {MIN_TOKEN_LENGTH} "
                "(python -c \"import secrets; print(secrets.token_hex(24))\")"))
    generated = not token
    return LabSettings(root=Path(root).resolve(), ip=ip, port=port,
                       token=token or secrets.token_hex(24), token_generated=generated,
                       open_browser=open_browser, allow_root=allow_root)


def lab_command(s: LabSettings) -> list:
    """The JupyterLab command line (the token is not on it: see `lab_environment`)."""
    return [
        sys.executable, "-m", "jupyterlab",
        f"--ServerApp.ip={s.ip}",
        f"--ServerApp.port={s.port}",
        "--ServerApp.port_retries=0",  # a busy port is an error, not a silent move to another URL
        f"--ServerApp.root_dir={s.root}",
        f"--ServerApp.open_browser={s.open_browser}",
        f"--ServerApp.allow_root={s.allow_root}",
        "--LabApp.news_url=None",  # works offline, no announcement pop-ups in class
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]


def lab_environment(s: LabSettings, environ=None) -> dict:
    """The server's environment: the token, and the kata root for `kata.check` in notebooks."""
    env = dict(os.environ if environ is None else environ)
    env[TOKEN_ENV] = s.token
    env.pop("JUPYTER_TOKEN_FILE", None)  # it would not override JUPYTER_TOKEN, but avoid doubt
    env["KATA_ROOT"] = str(s.root)
    # A config folder of our own, searched first, whose labconfig turns off JupyterLab's news
    # announcements (a pop-up asking to fetch news from the internet, in the middle of a class).
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(filter(None, [str(JUPYTER_CONFIG), env.get("JUPYTER_CONFIG_PATH")]))
    return env


def banner(s: LabSettings) -> str:
    """What `kata lab` prints before JupyterLab starts."""
    lines = [t(f"JupyterLab para la kata en {s.root}", f"JupyterLab for the kata in {s.root}"),
             t(f"Abre · Open: {s.url}", f"Open · Abre: {s.url}")]
    if s.token_generated:
        lines.append(t(f"(token generado para esta sesión; fija uno con {TOKEN_ENV}=…)",
                       f"(token generated for this session; set your own with {TOKEN_ENV}=…)"))
    return "\n".join(lines)


def run(s: LabSettings) -> None:
    """Print the URL and become JupyterLab (never returns)."""
    print(banner(s), flush=True)
    command = lab_command(s)
    os.execve(command[0], command, lab_environment(s))
