"""The Jupyter workbench: one JupyterLab configuration for `kata lab` and for the Docker image.

`lab_command` builds the `python -m jupyterlab` command line; `run` checks the address and the
token, prints the URL and replaces this process with JupyterLab (so signals, and `docker stop`,
reach the server directly). The token travels in the `JUPYTER_TOKEN` environment variable, never
on the command line, where `ps` would show it to every user of the machine.

The learner's workbench: JupyterLab in the kata's language (the Spanish language pack, set as the
default through an overrides file of our own), without nbgrader's instructor tools (kata/jupyter/,
first on JUPYTER_CONFIG_PATH), and Jupyter's own log in `.kata/lab-<port>.log` unless `--verbose`.
"""

import errno
import ipaddress
import os
import secrets
import signal
import socket
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from kata.i18n import language, t

JUPYTER_CONFIG = Path(__file__).resolve().parent / "jupyter"
# JupyterLab's default settings per kata language (overrides.json): Spanish picks the es_ES pack.
LAB_SETTINGS = {"es": JUPYTER_CONFIG / "lab-settings" / "es"}
LOG_TAIL_LINES = 15               # what a failed start shows of Jupyter's hidden log
CONTAINER_MARKS = ("/.dockerenv", "/run/.containerenv")

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
    verbose: bool = False
    lang: str = "es"

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


def in_container() -> bool:
    """True inside Docker or Podman, where running as root harms nobody else's files."""
    return any(Path(mark).exists() for mark in CONTAINER_MARKS) or bool(os.environ.get("container"))


def settings(root, ip=DEFAULT_IP, port=DEFAULT_PORT, open_browser=True, allow_root=False,
             environ=None, verbose=False, lang=None) -> LabSettings:
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
                       open_browser=open_browser, allow_root=allow_root, verbose=verbose, lang=language(lang))


def preflight(s: LabSettings, euid=None, container=None) -> LabSettings:
    """What Jupyter would refuse only after thirty lines of its log, said in one line first: root
    outside a container without --allow-root (inside one it runs), a port already in use."""
    euid = os.geteuid() if euid is None and hasattr(os, "geteuid") else euid
    if euid == 0 and not s.allow_root:
        if not (in_container() if container is None else container):
            raise LabError(t(
                "no se ejecuta como root: ábrelo con tu usuario normal, sin sudo (o, en un contenedor o una "
                "máquina de CI donde todo es root, con kata lab --allow-root)",
                "it does not run as root: start it as your normal user, without sudo (or, in a container or a "
                "CI machine where everything is root, with kata lab --allow-root)"))
        s = replace(s, allow_root=True)
    if not port_is_free(s.ip, s.port):
        other = s.port + 1 if s.port < 65535 else s.port - 1
        raise LabError(t(f"el puerto {s.port} ya está en uso (¿otro kata lab abierto?): ciérralo, o usa "
                         f"--port {other}",
                         f"port {s.port} is already in use (another kata lab open?): close it, or use "
                         f"--port {other}"))
    return s


def port_is_free(ip: str, port: int) -> bool:
    """False only where (ip, port) is taken now; any other trouble (an address not on this machine,
    a port below 1024) is Jupyter's to report."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as Jupyter's own server does
            probe.bind(("" if is_wildcard(ip) else ip, port))
    except OSError as err:
        return err.errno != errno.EADDRINUSE
    return True


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
        *language_args(s.lang),
        # With its log hidden, Ctrl-C must stop the server at once: no confirmation asked where nobody sees it.
        *([] if s.verbose else ["--ServerApp.answer_yes=True"]),
    ]


def language_args(lang: str) -> list:
    """JupyterLab's own command-line settings for a kata in `lang` (empty for English, its default)."""
    folder = LAB_SETTINGS.get(lang)
    return [f"--LabApp.app_settings_dir={folder}"] if folder else []


def lab_environment(s: LabSettings, environ=None) -> dict:
    """The server's environment: the token, and the kata root for `kata.check` in notebooks."""
    env = dict(os.environ if environ is None else environ)
    env[TOKEN_ENV] = s.token
    env.pop("JUPYTER_TOKEN_FILE", None)  # it would not override JUPYTER_TOKEN, but avoid doubt
    env["KATA_ROOT"] = str(s.root)
    # A config folder of our own, searched first: it turns off JupyterLab's news announcements (a
    # pop-up asking to fetch news from the internet, in the middle of a class) and nbgrader's
    # instructor tools (server extensions and lab plugins), as the Docker image does.
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(filter(None, [str(JUPYTER_CONFIG), env.get("JUPYTER_CONFIG_PATH")]))
    return env


def banner(s: LabSettings) -> str:
    """What `kata lab` prints before JupyterLab starts."""
    lines = [t(f"JupyterLab para la kata en {s.root}", f"JupyterLab for the kata in {s.root}"),
             t(f"Abre · Open: {s.url}", f"Open · Abre: {s.url}")]
    if s.token_generated:
        lines.append(t(f"(token generado para esta sesión; fija uno con {TOKEN_ENV}=…)",
                       f"(token generated for this session; set your own with {TOKEN_ENV}=…)"))
    if not s.verbose:
        lines.append(t(f"El registro de Jupyter va a {log_path(s)} (kata lab --verbose lo muestra aquí). "
                       "Ctrl-C lo cierra.",
                       f"Jupyter's log goes to {log_path(s)} (kata lab --verbose shows it here). Ctrl-C stops it."))
    return "\n".join(lines)


def log_path(s: LabSettings) -> Path:
    """Where Jupyter's log goes when it is not shown: one file per port, so two labs keep theirs."""
    return s.root / ".kata" / f"lab-{s.port}.log"


def run(s: LabSettings) -> int:
    """Print the URL and run JupyterLab. With --verbose (or where the log file cannot be written:
    a read-only folder) this process becomes JupyterLab, so signals and `docker stop` reach it
    directly. Otherwise JupyterLab runs as a child whose output goes to the log file, and this
    process waits for it: it passes on SIGTERM, and if JupyterLab stops with an error it shows the
    end of the log. Returns JupyterLab's exit status."""
    log = None if s.verbose else _open_log(log_path(s))
    if log is None:
        s = replace(s, verbose=True)
    print(banner(s), flush=True)
    command, env = lab_command(s), lab_environment(s)
    if log is None:
        os.execve(command[0], command, env)
    child = os.fork()
    if child == 0:                       # JupyterLab, its output in the log file
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        os.execve(command[0], command, env)
    os.close(log)
    return _wait_for(child, s)


def _wait_for(child: int, s: LabSettings) -> int:
    """Wait for JupyterLab; Ctrl-C reaches it from the terminal, SIGTERM is passed on."""
    signal.signal(signal.SIGINT, lambda *_: None)          # JupyterLab gets its own and stops
    signal.signal(signal.SIGTERM, lambda *_: os.kill(child, signal.SIGTERM))
    _, status = os.waitpid(child, 0)
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, -signal.SIGINT, -signal.SIGTERM):
        tail = log_path(s).read_text(encoding="utf-8", errors="replace").splitlines()[-LOG_TAIL_LINES:]
        print(t(f"JupyterLab se ha parado con un error ({code}); lo último de {log_path(s)}:",
                f"JupyterLab stopped with an error ({code}); the end of {log_path(s)}:"), file=sys.stderr)
        print("\n".join(tail), file=sys.stderr)
    return code if code >= 0 else 128 - code


def _open_log(path: Path):
    """A file descriptor on `path`, emptied; None where it cannot be written."""
    try:
        path.parent.mkdir(exist_ok=True)
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError:
        return None
