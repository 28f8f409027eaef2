"""Hand in from the class server: `kata submit`, or in a notebook cell

    from kata.handin import submit
    submit()

sends your step modules (exercises/<module>.py, the files the manifest names) to the class
server's hand-in service, which keeps every hand-in with its time and a fingerprint (sha256) and
never overwrites one; your instructor grades the latest. It works inside a lab of the class
server (hub/), where the server gives it two things: `JUPYTERHUB_API_TOKEN`, your lab's token,
and `KATA_HANDIN_URL`, where the service answers (else it asks the hub's API for it).

Nothing is sent that the service would refuse: a file that is a symbolic link or not a regular
file, or one larger than the service takes, stops the hand-in here with the file's name. Only
the standard library is used, so this works in any lab.
"""

import base64
import json
import os
import stat
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

from kata import __version__, manifest
from kata.i18n import number, t
from kata.paths import exercise_path, find_root, relative

# The service's limits (hub/cnn_kata_hub/handin_store.py; a test holds the two to the same numbers).
MAX_FILES = 20
MAX_FILE_BYTES = 1_000_000
MAX_TOTAL_BYTES = 2_000_000
TIMEOUT = 30


class HandinError(Exception):
    """A hand-in that did not happen: the message says why and what to do. In a notebook it shows
    as the message alone, with no traceback."""

    def _render_traceback_(self):
        return [str(self)]


# --- where the service is -----------------------------------------------------------------------------

def service_url(environ=os.environ) -> str:
    """The hand-in service's base URL (ending in /)."""
    url = environ.get("KATA_HANDIN_URL", "").strip()
    if url:
        return url.rstrip("/") + "/"
    api, token = environ.get("JUPYTERHUB_API_URL", "").strip(), environ.get("JUPYTERHUB_API_TOKEN", "").strip()
    if not (api and token):
        raise HandinError(t(
            "Aquí no hay servidor de la clase al que entregar: `kata submit` funciona en el JupyterLab del "
            "curso. Si trabajas en tu ordenador, entrega como diga tu profesor (por ejemplo, un zip de "
            "exercises/ en Moodle o Canvas).",
            "There is no class server here to hand in to: `kata submit` works in the course's JupyterLab. "
            "If you work on your own computer, hand in as your instructor says (a zip of exercises/ in "
            "Moodle or Canvas, say)."))
    try:
        model = _call("GET", api.rstrip("/") + "/services/handin", token)
    except HandinError:
        model = None
    if not model or not model.get("url"):
        raise HandinError(t(
            "El servidor de la clase no tiene servicio de entregas: avisa a tu profesor.",
            "The class server has no hand-in service: tell your instructor."))
    return model["url"].rstrip("/") + (model.get("prefix") or "/services/handin/")


def _token(environ=os.environ) -> str:
    token = environ.get("JUPYTERHUB_API_TOKEN", "").strip()
    if not token:
        raise HandinError(t(
            "Falta el token de tu JupyterLab (JUPYTERHUB_API_TOKEN): entrega desde un terminal o un cuaderno "
            "de tu JupyterLab del curso.",
            "Your JupyterLab's token (JUPYTERHUB_API_TOKEN) is missing: hand in from a terminal or a notebook "
            "of your course JupyterLab."))
    return token


# --- what is handed in ------------------------------------------------------------------------------

def step_files(root=None) -> dict:
    """{'exercises/<module>.py': bytes} of the steps whose file exists, each checked before anything is sent."""
    root = Path(root or find_root())
    files, total = {}, 0
    for step in manifest.steps(root):
        path = exercise_path(step, root)
        shown = relative(path, root)
        try:
            info = path.lstat()
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(info.st_mode):
            raise HandinError(t(
                f"{shown} es un enlace simbólico: pon en su lugar el fichero con tu código y vuelve a entregar.",
                f"{shown} is a symbolic link: put the file with your code in its place and hand in again."))
        if not stat.S_ISREG(info.st_mode):
            raise HandinError(t(f"{shown} no es un fichero normal: pon ahí tu código y vuelve a entregar.",
                                f"{shown} is not a regular file: put your code there and hand in again."))
        if info.st_size > MAX_FILE_BYTES:
            raise HandinError(t(
                f"{shown} ocupa {_mb(info.st_size)} y caben {_mb(MAX_FILE_BYTES)}: un paso es código; quita lo que "
                f"no lo sea (datos, salidas pegadas) y vuelve a entregar.",
                f"{shown} is {_mb(info.st_size)} and {_mb(MAX_FILE_BYTES)} fit: a step is code; take out what is "
                f"not (data, pasted output) and hand in again."))
        data = _read_regular(path)
        files[f"exercises/{path.name}"] = data
        total += len(data)
    if not files:
        raise HandinError(t("No hay nada que entregar: exercises/ no tiene ninguno de los ficheros de los pasos.",
                            "There is nothing to hand in: exercises/ holds none of the steps' files."))
    if len(files) > MAX_FILES or total > MAX_TOTAL_BYTES:
        raise HandinError(t(f"Tus ficheros ocupan {_mb(total)} y caben {_mb(MAX_TOTAL_BYTES)}: quita lo que no sea código.",
                            f"Your files are {_mb(total)} and {_mb(MAX_TOTAL_BYTES)} fit: take out what is not code."))
    return files


def _read_regular(path: Path) -> bytes:
    """The file's bytes, opened without following a link (one swapped in after the check fails here)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        return handle.read(MAX_FILE_BYTES + 1)


def _mb(size: int) -> str:
    text = f"{size / 1e6:.1f}".rstrip("0").rstrip(".") if size >= 100_000 else f"{size / 1e6:.2f}"
    return f"{number(float(text))} MB"


# --- talking to the service -------------------------------------------------------------------------

def _call(method: str, url: str, token: str, body=None):
    """The service's JSON answer; a refusal becomes a HandinError with the service's own words."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"token {token}", "Content-Type": "application/json", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            return json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as refusal:
        raise HandinError(_refusal_text(refusal)) from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise HandinError(t(
            f"No se ha podido hablar con el servicio de entregas ({error}): prueba otra vez en un momento y, si "
            f"sigue igual, avisa a tu profesor. Tus ficheros no han cambiado.",
            f"Could not reach the hand-in service ({error}): try again in a moment and, if nothing changes, tell "
            f"your instructor. Your files have not changed.")) from None


def _refusal_text(refusal) -> str:
    try:
        message = json.loads(refusal.read())["message"]
        said = t(message["es"], message["en"])
    except (ValueError, KeyError, TypeError, OSError):
        said = t(f"el servicio de entregas ha respondido {refusal.code}", f"the hand-in service answered {refusal.code}")
    return t(f"Entrega rechazada: {said}", f"Hand-in refused: {said}")


# --- the commands -------------------------------------------------------------------------------------

def submit(root=None, *, quiet=False, environ=os.environ) -> dict:
    """Hand in your step modules; returns the service's record of the hand-in (and prints a summary)."""
    root = Path(root or find_root())
    files = step_files(root)
    url, token = service_url(environ), _token(environ)
    record = _call("POST", url + "api/handins", token, {
        "files": {name: base64.b64encode(data).decode("ascii") for name, data in files.items()},
        "client": f"kata {__version__}"})
    if not quiet:
        print(describe(record))
    return record


def history(*, environ=os.environ) -> list:
    """Your hand-ins as the service keeps them, oldest first."""
    answer = _call("GET", service_url(environ) + "api/handins", _token(environ))
    return answer.get("handins", [])


def describe(record: dict) -> str:
    """What a student reads after handing in."""
    when, count, n = _when(record["received"]), len(record["files"]), record["number"]
    short = record["sha256"][:12]
    if record.get("unchanged"):
        return t(f"No has cambiado nada desde tu entrega n.º {n} ({when}, huella {short}): sigue siendo la que "
                 f"cuenta, no hace falta entregar otra vez.",
                 f"Nothing has changed since your hand-in no. {n} ({when}, fingerprint {short}): it is still the one "
                 f"that counts, there is no need to hand in again.")
    lines = [t(f"Entregado: {count} ficheros de exercises/ · {when} · huella {short}",
               f"Handed in: {count} files from exercises/ · {when} · fingerprint {short}"),
             t(f"Es tu entrega n.º {n}; tu profesor corrige la última, y todas quedan guardadas.",
               f"This is your hand-in no. {n}; your instructor grades the latest, and every one is kept.")]
    if record.get("late"):
        deadline = _when(record["deadline"])
        lines.append(t(f"Fuera de plazo: el plazo acababa el {deadline}. Queda guardada y marcada como tardía.",
                       f"Late: the deadline was {deadline}. It is kept and marked late."))
    elif record.get("deadline"):
        lines.append(t(f"A tiempo: el plazo acaba el {_when(record['deadline'])}.",
                       f"On time: the deadline is {_when(record['deadline'])}."))
    return "\n".join(lines)


def describe_history(records: list) -> str:
    if not records:
        return t("Aún no has entregado nada: `kata submit` entrega tus ficheros de exercises/.",
                 "You have not handed in anything yet: `kata submit` hands in your files from exercises/.")
    lines = [t(f"Tus entregas ({len(records)}; tu profesor corrige la última):",
               f"Your hand-ins ({len(records)}; your instructor grades the latest):")]
    for record in records:
        mark = t("fuera de plazo", "late") if record.get("late") else t("a tiempo", "on time")
        lines.append(t(f"  n.º {record['number']} · {_when(record['received'])} · {len(record['files'])} ficheros · "
                       f"huella {record['sha256'][:12]} · {mark}",
                       f"  no. {record['number']} · {_when(record['received'])} · {len(record['files'])} files · "
                       f"fingerprint {record['sha256'][:12]} · {mark}"))
    return "\n".join(lines)


def _when(text: str) -> str:
    """An ISO time as '2026-06-30 21:59 UTC'."""
    try:
        return datetime.fromisoformat(text).astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    except (TypeError, ValueError):
        return str(text)

