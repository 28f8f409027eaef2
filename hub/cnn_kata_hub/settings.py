"""The class server's settings: the HUB_* variables of hub/.env, read and checked once at start.

Each mistake is refused with the variable, the value found and what to write instead, in one
line that `docker compose logs hub` shows. Nothing here imports JupyterHub, so the kata's own
tests read it on any machine.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlparse

DEFAULT_IMAGE = "cnn-kata-lab:0.2.0"
DEFAULT_CLASS_LIST = "/srv/class/class-list.txt"
# Below this a student's kernel cannot even import TensorFlow (docs/hub.md, capacity).
MIN_MEMORY = 768 * 2**20
UNITS = {"": 1, "b": 1, "k": 2**10, "m": 2**20, "g": 2**30}
AUTHS = ("lti", "classlist")
LANGUAGES = ("es", "en")
# Docker's own rule for container, volume and network names.
NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,40}")
# What JupyterHub's first-use login accepts in a username (no spaces, no commas), kept simple.
USERNAME = re.compile(r"[a-z0-9][a-z0-9_.@+-]{0,63}")


class SettingsError(ValueError):
    """A HUB_* value the class server cannot use; the message names the variable and the fix."""


@dataclass(frozen=True)
class LTI:
    """Where the LMS's LTI 1.3 login comes from: the four values its tool registration shows."""

    issuer: str
    client_ids: tuple
    authorize_url: str
    jwks_url: str


@dataclass(frozen=True)
class Settings:
    """Everything the hub's configuration depends on."""

    name: str = "cnn-kata-hub"
    auth: str = "lti"
    lti: LTI = None
    class_list: tuple = ()
    admins: frozenset = field(default_factory=frozenset)
    public_url: str = ""
    student_image: str = DEFAULT_IMAGE
    mem_limit: str = "2G"
    cpu_limit: float = 1.0
    max_servers: int = 0
    cull_timeout: int = 3600
    cull_every: int = 300
    language: str = "es"
    handin_deadline: str = ""      # ISO 8601 in UTC, or "" for no deadline

    @property
    def network(self) -> str:
        """The students' network (docker-compose.yml names it the same way)."""
        return f"{self.name}-students"

    @property
    def volume_template(self) -> str:
        """One volume per student; DockerSpawner fills in the escaped username."""
        return f"{self.name}-work-{{username}}"

    @property
    def mem_bytes(self) -> int:
        return parse_size(self.mem_limit, "HUB_MEM_LIMIT")

    @property
    def https(self) -> bool:
        return self.public_url.startswith("https://")


def parse_size(text: str, variable: str) -> int:
    """Bytes of a Docker-style size: 2G, 1536M, 2g, 2147483648."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([bkmg]?)\s*", str(text).lower())
    if not found:
        raise SettingsError(f"hub/.env: {variable}={text!r} is not a size: write it like 2G or 1536M")
    return int(float(found.group(1)) * UNITS[found.group(2)])


def _deadline(environ) -> str:
    """HUB_HANDIN_DEADLINE as ISO 8601 in UTC ('' when empty); a time without its zone is refused."""
    text = environ.get("HUB_HANDIN_DEADLINE", "").strip()
    if not text:
        return ""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise SettingsError(f"hub/.env: HUB_HANDIN_DEADLINE={text!r} is not a time with its time zone: write it like "
                            f"2026-06-30T23:59+02:00 (Madrid in summer) or 2026-06-30T21:59Z (UTC)")
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _integer(environ, variable, default, minimum):
    text = environ.get(variable, "").strip()
    if not text:
        return default
    if not re.fullmatch(r"\d+", text) or int(text) < minimum:
        raise SettingsError(f"hub/.env: {variable}={text!r} must be a whole number of at least {minimum}")
    return int(text)


def _url(environ, variable, *, required=True) -> str:
    text = environ.get(variable, "").strip()
    if not text:
        if required:
            raise SettingsError(f"hub/.env: {variable} is empty; copy it from the LMS's tool registration "
                                f"(docs/hub.md, 'Moodle' and 'Canvas')")
        return ""
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SettingsError(f"hub/.env: {variable}={text!r} is not a web address: write it as https://host/path")
    return text


def _names(text: str, variable: str) -> frozenset:
    names = {part.strip().lower() for part in text.split(",") if part.strip()}
    for name in names:
        if not USERNAME.fullmatch(name):
            raise SettingsError(f"hub/.env: {variable}: {name!r} is not a username the hub accepts "
                                f"(letters, digits and . _ @ + -, no spaces)")
    return frozenset(names)


def read_class_list(path) -> tuple:
    """The usernames of a class list: one per line; blank lines and # comments are skipped."""
    path = Path(path)
    if not path.is_file():
        raise SettingsError(f"HUB_AUTH=classlist needs the class list {path} (hub/class/class-list.txt on the "
                            f"host, one username per line): copy hub/class/class-list.example.txt and edit it")
    names, seen = [], set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        name = line.split("#", 1)[0].strip().lower()
        if not name:
            continue
        if not USERNAME.fullmatch(name):
            raise SettingsError(f"{path}, line {number}: {line.strip()!r} is not a username the hub accepts "
                                f"(letters, digits and . _ @ + -, no spaces); write one username per line")
        if name not in seen:
            seen.add(name)
            names.append(name)
    if not names:
        raise SettingsError(f"{path} names nobody: write one username per line")
    return tuple(names)


def read(environ) -> Settings:
    """Settings from the environment (the hub container's, filled from hub/.env by compose)."""
    name = environ.get("HUB_NAME", "").strip() or Settings.name
    if not NAME.fullmatch(name):
        raise SettingsError(f"hub/.env: HUB_NAME={name!r} must be lower-case letters, digits, '.', '_' or '-' "
                            f"(it prefixes the students' containers and volumes)")
    auth = environ.get("HUB_AUTH", "").strip().lower() or "lti"
    if auth not in AUTHS:
        raise SettingsError(f"hub/.env: HUB_AUTH={auth!r}: write lti (Moodle, Canvas) or classlist (a class list)")

    lti, class_list = None, ()
    if auth == "lti":
        client_ids = tuple(part.strip() for part in environ.get("HUB_LTI_CLIENT_ID", "").split(",") if part.strip())
        if not client_ids:
            raise SettingsError("hub/.env: HUB_LTI_CLIENT_ID is empty; copy the Client ID from the LMS's tool "
                                "registration (docs/hub.md)")
        lti = LTI(issuer=_url(environ, "HUB_LTI_ISSUER"), client_ids=client_ids,
                  authorize_url=_url(environ, "HUB_LTI_AUTHORIZE_URL"), jwks_url=_url(environ, "HUB_LTI_JWKS_URL"))
    else:
        class_list = read_class_list(environ.get("HUB_CLASS_LIST", "").strip() or DEFAULT_CLASS_LIST)

    public_url = _url(environ, "HUB_PUBLIC_URL", required=False).rstrip("/")
    if public_url and urlparse(public_url).path not in ("", "/"):
        raise SettingsError(f"hub/.env: HUB_PUBLIC_URL={public_url!r}: the hub is served at the root of its "
                            f"address; write only https://host (or https://host:port)")

    mem_limit = environ.get("HUB_MEM_LIMIT", "").strip() or Settings.mem_limit
    if parse_size(mem_limit, "HUB_MEM_LIMIT") < MIN_MEMORY:
        raise SettingsError(f"hub/.env: HUB_MEM_LIMIT={mem_limit!r} is too little for TensorFlow: give each "
                            f"student at least 768M (2G lets them train; docs/hub.md, capacity)")
    cpu_text = environ.get("HUB_CPU_LIMIT", "").strip() or "1"
    try:
        cpu_limit = float(cpu_text)
    except ValueError:
        cpu_limit = 0
    if not cpu_limit > 0:
        raise SettingsError(f"hub/.env: HUB_CPU_LIMIT={cpu_text!r} must be a number of cores above 0, like 1 or 0.5")

    cull_timeout = _integer(environ, "HUB_CULL_TIMEOUT", Settings.cull_timeout, 10)
    cull_every = _integer(environ, "HUB_CULL_EVERY", max(1, min(300, cull_timeout // 2)), 1)
    language = environ.get("HUB_LANG", "").strip().lower() or "es"
    if language not in LANGUAGES:
        raise SettingsError(f"hub/.env: HUB_LANG={language!r}: write es or en (the kata's messages)")
    image = environ.get("HUB_STUDENT_IMAGE", "").strip() or DEFAULT_IMAGE
    return Settings(name=name, auth=auth, lti=lti, class_list=class_list,
                    admins=_names(environ.get("HUB_ADMINS", ""), "HUB_ADMINS"), public_url=public_url,
                    student_image=image, mem_limit=mem_limit, cpu_limit=cpu_limit,
                    max_servers=_integer(environ, "HUB_MAX_SERVERS", 0, 0),
                    cull_timeout=cull_timeout, cull_every=cull_every, language=language,
                    handin_deadline=_deadline(environ))
