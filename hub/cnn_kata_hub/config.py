"""JupyterHub's configuration for a course, made from `Settings` (hub/jupyterhub_config.py calls it).

Classes are named by their import path, so this module imports nothing of JupyterHub's and the
kata's tests can read the configuration it makes on any machine.

Where things live (docker-compose.yml mounts and names them):

- /srv/jupyterhub: the hub's state on a volume: its sqlite database, its cookie secret, the
  class list's passwords; it survives restarts and upgrades of the hub's image.
- the students' network `<HUB_NAME>-students`: the hub, its proxy and every student's server,
  with no way out to the internet; the hub also sits on compose's default network, which publishes
  the proxy's port and lets the hub fetch the LMS's keys.
- one volume per student, `<HUB_NAME>-work-<username>`, at the kata's folder in their container.
- the hand-in store on a volume of its own, `<HUB_NAME>-handins`, at /srv/handins in the hub's
  container, where the hand-in service (a hub service, `handin_service`) keeps it.

`configure` is the class server on one machine (DockerSpawner); `cnn_kata_hub.kubernetes` is the
same course on Kubernetes (KubeSpawner), made from the same settings by the same parts: the
course's hub settings (`course`), its services and their permissions (`services`), the login
(`login`) and what each student's server gets (`student_environment`).
"""

import sys

from cnn_kata_hub.settings import Settings

DATA = "/srv/jupyterhub"
WORK = "/home/student/kata"
LANDING = "/lab/tree/notebooks/01_tensorflow.ipynb"
# The kata's own JupyterLab settings (news announcements off), as `kata lab` uses them.
KATA_JUPYTER_CONFIG = "/opt/kata/kata/jupyter"
# The student's starting files, which the image's entry point copies into an empty volume.
STARTER = "/opt/kata-starter"
SECOND = 10**9   # Docker's health check durations are in nanoseconds
CULLER_SCOPES = ["list:users", "read:users:activity", "read:servers", "delete:servers"]
# The hand-in service: a hub service in the hub's container (or pod), on a port of its own that the
# students' network reaches as hub:10101, and that the proxy also serves at /services/handin/.
HANDIN = "handin"
HANDIN_PORT = 10101
HANDIN_URL = f"http://hub:{HANDIN_PORT}"
HANDIN_STORE = "/srv/handins"
HANDIN_SCOPES = [f"access:services!service={HANDIN}", f"read:services!service={HANDIN}"]
# What a student's server token may do: JupyterHub's `server` role, plus handing in (and finding the
# service) as its user, so that `kata submit` and a notebook cell hand in with the token the lab has.
SERVER_TOKEN_SCOPES = ["users:activity!user", "access:servers!server", *HANDIN_SCOPES]


def configure(c, settings: Settings) -> None:
    """Fill JupyterHub's config object `c` for the class server on one machine (Docker)."""
    _hub(c, settings)
    course(c, settings)
    _spawner(c, settings)
    services(c, settings)
    login(c, settings)


def course(c, s: Settings) -> None:
    """What the course decides whatever runs the servers: how many at once, where students land, cookies."""
    c.JupyterHub.active_server_limit = s.max_servers
    # Whoever arrives at the hub's root (a Canvas link to the bare address) gets their server.
    c.JupyterHub.default_url = "/hub/spawn"
    if s.public_url:
        c.JupyterHub.public_url = s.public_url + "/"
    if s.https:
        # An LMS launch is a cross-site POST: the login's state cookie only comes back with it
        # when it is SameSite=None, which browsers accept only on a secure cookie.
        c.JupyterHub.cookie_options = {"SameSite": "None", "Secure": True}
    c.Spawner.default_url = LANDING
    # As `kata lab`: no news pop-up, no update check (the students' network has no internet).
    c.Spawner.args = ["--LabApp.news_url=None",
                      "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                      *lab_language_args(s.language)]
    c.Spawner.start_timeout = 180
    c.Spawner.http_timeout = 120
    c.Spawner.server_token_scopes = list(SERVER_TOKEN_SCOPES)


def lab_language_args(language: str) -> list:
    """As `kata lab` (kata.lab.language_args): a Spanish class gets JupyterLab in Spanish by default."""
    return [f"--LabApp.app_settings_dir={KATA_JUPYTER_CONFIG}/lab-settings/es"] if language == "es" else []


def student_environment(s: Settings) -> dict:
    """The environment of each student's server: the kata's folder, language and starter, the hand-in service."""
    return {
        "KATA_ROOT": WORK,
        "KATA_LANG": s.language,
        "KATA_STARTER": STARTER,
        "JUPYTER_CONFIG_PATH": KATA_JUPYTER_CONFIG,
        "KATA_HANDIN_URL": f"{HANDIN_URL}/services/{HANDIN}/",
    }


def _hub(c, s: Settings) -> None:
    c.JupyterHub.bind_url = "http://:8000"
    # The hub's API, where the students' servers and the culler reach it: on the students' network,
    # under the compose service's name.
    c.JupyterHub.hub_bind_url = "http://0.0.0.0:8081"
    c.JupyterHub.hub_connect_url = "http://hub:8081"
    c.JupyterHub.db_url = f"sqlite:///{DATA}/jupyterhub.sqlite"
    c.JupyterHub.cookie_secret_file = f"{DATA}/jupyterhub_cookie_secret"
    c.ConfigurableHTTPProxy.pid_file = f"{DATA}/jupyterhub-proxy.pid"
    # Stopping the hub stops the students' servers (their files stay on their volumes), so that
    # `docker compose down` leaves nothing behind on the students' network.
    c.JupyterHub.cleanup_servers = True


def _spawner(c, s: Settings) -> None:
    c.JupyterHub.spawner_class = "cnn_kata_hub.spawner.KataDockerSpawner"
    c.DockerSpawner.image = s.student_image
    c.DockerSpawner.pull_policy = "never"     # the image is built here, never pulled
    c.DockerSpawner.remove = True             # a new container at each start: a new image takes effect
    c.DockerSpawner.prefix = s.name
    c.DockerSpawner.network_name = s.network
    c.DockerSpawner.use_internal_ip = True
    c.DockerSpawner.volumes = {s.volume_template: WORK}
    c.DockerSpawner.notebook_dir = WORK
    c.DockerSpawner.cmd = ["jupyterhub-singleuser"]
    c.DockerSpawner.mem_limit = s.mem_limit
    c.DockerSpawner.cpu_limit = s.cpu_limit
    c.DockerSpawner.extra_host_config = {
        # Kept until the hub removes it (remove=True), so that one that dies while starting can
        # still say why (out of memory, its exit status, its last lines).
        "auto_remove": False,
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges:true"],
        "pids_limit": 1024,        # a runaway loop of processes stays in its own container
    }
    # The image's own health check asks /api, but under the hub the server answers under the
    # user's prefix: the same check there, so that `docker ps` shows the students' servers healthy.
    c.DockerSpawner.extra_create_kwargs = {"healthcheck": {
        "test": ["CMD", "python", "-c", "import os, urllib.request; urllib.request.urlopen("
                 "'http://127.0.0.1:8888' + os.environ['JUPYTERHUB_SERVICE_PREFIX'] + 'api', timeout=4)"],
        "interval": 10 * SECOND, "timeout": 5 * SECOND, "retries": 3, "start_period": 60 * SECOND}}
    c.Spawner.environment = student_environment(s)


def services(c, s: Settings) -> None:
    """The idle culler and the hand-in service, each with only the permissions it needs, added to
    whatever services the configuration already has (Zero to JupyterHub's chart starts with its own)."""
    culler = {
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                    f"--timeout={s.cull_timeout}", f"--cull-every={s.cull_every}"],
    }
    handin = {
        "name": HANDIN,
        "url": HANDIN_URL,
        "command": [sys.executable, "-m", "cnn_kata_hub.handin_service"],
        "environment": {"HUB_HANDIN_STORE": HANDIN_STORE, "HUB_HANDIN_DEADLINE": s.handin_deadline},
        "display": False,
    }
    roles = [
        {"name": "idle-culler", "scopes": CULLER_SCOPES, "services": ["idle-culler"]},
        # JupyterHub's default `user` role, plus handing in: every student may use the service as
        # themselves (the service lets nobody write anyone else's hand-ins).
        {"name": "user", "scopes": ["self", *HANDIN_SCOPES]},
    ]
    c.JupyterHub.services = _listed(c.JupyterHub, "services") + [culler, handin]
    c.JupyterHub.load_roles = _listed(c.JupyterHub, "load_roles") + roles


def _listed(section, name) -> list:
    """A list setting as set so far, or [] where nothing set it."""
    value = section.get(name)
    return list(value) if isinstance(value, (list, tuple)) else []


def login(c, s: Settings) -> None:
    if s.auth == "lti":
        _lti(c, s)
    else:
        _class_list(c, s)


def _lti(c, s: Settings) -> None:
    c.JupyterHub.authenticator_class = "cnn_kata_hub.lti.KataLTI13Authenticator"
    c.LTI13Authenticator.issuer = s.lti.issuer
    c.LTI13Authenticator.client_id = list(s.lti.client_ids)
    c.LTI13Authenticator.authorize_url = s.lti.authorize_url
    c.LTI13Authenticator.jwks_endpoint = s.lti.jwks_url
    c.LTI13Authenticator.username_key = "sub"    # the LMS's stable id, never an editable name
    c.LTI13Authenticator.tool_name = "cnn-kata"
    c.LTI13Authenticator.tool_description = "La kata de redes convolucionales · The convolutional network kata"
    if s.https:
        c.LTI13Authenticator.uri_scheme = "https"
    # Whoever the LMS signs in may use the hub: the LMS shows the activity to the course only.
    c.Authenticator.allow_all = True
    c.Authenticator.admin_users = set(s.admins)


def _class_list(c, s: Settings) -> None:
    c.JupyterHub.authenticator_class = "firstuseauthenticator.FirstUseAuthenticator"
    # Only the names on the list (and the admins) sign in; the first password each one types
    # becomes theirs. Users of an earlier LTI term are not let in by their old accounts.
    c.Authenticator.allowed_users = set(s.class_list)
    c.Authenticator.allow_existing_users = False
    c.Authenticator.admin_users = set(s.admins)
    c.FirstUseAuthenticator.create_users = False
    c.FirstUseAuthenticator.dbm_path = f"{DATA}/passwords.dbm"
    c.FirstUseAuthenticator.min_password_length = 8
