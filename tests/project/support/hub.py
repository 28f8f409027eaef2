"""A test LTI 1.3 platform, and a browser that launches the class server from it.

`Platform` plays Moodle or Canvas as far as the hub can tell: it holds an RSA key, publishes its
public half as a JWKS (the hub fetches it from a small container on the hub's network), answers
the OIDC authorize step and signs id_tokens with PyJWT, the library jupyterhub-ltiauthenticator
verifies them with. Its `serve` method also runs the authorize step as a web page on 127.0.0.1,
with the self-submitting forms a real LMS uses, so that Chromium can make the whole launch.

`Browser` is one person's browser (a requests session with its own cookies) launching the hub
from the platform; each step is its own method so that a test can tamper with one of them.
"""

import html
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

LTI = "https://purl.imsglobal.org/spec/lti/claim"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
LEARNER = f"{MEMBERSHIP}#Learner"
INSTRUCTOR = f"{MEMBERSHIP}#Instructor"


@dataclass(frozen=True)
class LmsUser:
    """A person as the LMS knows them: a stable id (`sub`), a name they may edit, their roles."""

    sub: str
    name: str
    roles: tuple = (LEARNER,)

    @property
    def username(self) -> str:
        """The hub's username for them: the LMS's id, which JupyterHub lower-cases."""
        return self.sub.lower()


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Platform:
    """The LMS: its identity (issuer, the tool's client id, a deployment) and its signing key."""

    issuer: str = "https://lms.kata.test"
    client_id: str = "cnn-kata-client-17"
    deployment_id: str = "deployment-1"
    key: object = field(default_factory=new_key)
    kid: str = field(default_factory=lambda: f"key-{secrets.token_hex(4)}")
    authorize_url: str = "https://lms.kata.test/mod/lti/auth.php"

    def jwks(self) -> dict:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def id_token(self, user: LmsUser, nonce: str, target: str, *, key=None, kid=None, **claims) -> str:
        """A signed LtiResourceLinkRequest for `user`; `claims` override or add claims (None drops one)."""
        now = int(time.time())
        payload = {
            "iss": self.issuer, "aud": self.client_id, "sub": user.sub, "nonce": nonce,
            "iat": now, "exp": now + 300,
            "name": user.name, "locale": "es-ES",
            f"{LTI}/message_type": "LtiResourceLinkRequest",
            f"{LTI}/version": "1.3.0",
            f"{LTI}/deployment_id": self.deployment_id,
            f"{LTI}/target_link_uri": target,
            f"{LTI}/resource_link": {"id": "kata-activity-1", "title": "cnn-kata"},
            f"{LTI}/context": {"id": "course-42", "label": "IA-101", "title": "Inteligencia artificial"},
            f"{LTI}/roles": list(user.roles),
        }
        payload.update(claims)
        payload = {k: v for k, v in payload.items() if v is not None}
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})

    def login_form(self, hub: str, user: LmsUser) -> dict:
        """What the LMS posts to the tool's login initiation URL when the user opens the activity."""
        return {"iss": self.issuer, "login_hint": user.sub, "target_link_uri": f"{hub}/hub/spawn",
                "client_id": self.client_id, "lti_message_hint": f"hint-{user.sub}",
                "lti_deployment_id": self.deployment_id}

    def authorize(self, query: dict, user: LmsUser, **token_changes) -> dict:
        """The OIDC authorize step: check the tool's request, answer with the form to post back."""
        assert query["client_id"] == self.client_id, query
        assert query["login_hint"] == user.sub and query["lti_message_hint"] == f"hint-{user.sub}", query
        assert (query["response_type"], query["scope"], query["response_mode"]) == ("id_token", "openid", "form_post")
        assert query["redirect_uri"].endswith("/hub/lti13/oauth_callback"), query
        target = query["redirect_uri"].split("/hub/", 1)[0] + "/hub/spawn"
        nonce = token_changes.pop("nonce", query["nonce"])
        return {"id_token": self.id_token(user, nonce, target, **token_changes), "state": query["state"]}

    def serve(self, users: dict):
        """The platform's pages on 127.0.0.1 for a real browser: /launch/<sub>?hub=… (the activity
        link) and /authorize (the OIDC step). Returns (base URL, stop function)."""
        platform = self

        class Pages(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path.startswith("/launch/"):
                    user = users[url.path.rsplit("/", 1)[1]]
                    hub = query["hub"]
                    page = _autopost(f"{hub}/hub/lti13/oauth_login", platform.login_form(hub, user))
                elif url.path == "/authorize":
                    fields = platform.authorize(query, users[query["login_hint"]])
                    page = _autopost(query["redirect_uri"], fields)
                else:
                    self.send_error(404)
                    return
                body = page.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
        threading.Thread(target=server.serve_forever, daemon=True).start()

        def stop():
            server.shutdown()
            server.server_close()

        return f"http://127.0.0.1:{server.server_address[1]}", stop


def _autopost(action: str, fields: dict) -> str:
    """The self-submitting form an LMS sends a browser through."""
    inputs = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(str(v))}">'
                     for k, v in fields.items())
    return (f'<!doctype html><html><body><form id="f" method="post" action="{html.escape(action)}">{inputs}'
            f'</form><script>document.getElementById("f").submit()</script></body></html>')


class Browser:
    """One person's browser on the hub: its own cookies, the LTI launch step by step."""

    def __init__(self, hub: str, platform: Platform, user: LmsUser):
        self.hub, self.platform, self.user = hub, platform, user
        self.session = requests.Session()

    def start_login(self) -> dict:
        """The LMS's login initiation: the hub answers with a redirect to the LMS's authorize URL."""
        answer = self.session.post(f"{self.hub}/hub/lti13/oauth_login", data=self.platform.login_form(self.hub, self.user),
                                   allow_redirects=False, timeout=60)
        assert answer.status_code == 302, (answer.status_code, answer.text[:2000])
        location = answer.headers["Location"]
        assert location.startswith(self.platform.authorize_url), location
        return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}

    def post_id_token(self, fields: dict) -> requests.Response:
        """The browser posts the LMS's form (id_token, state) to the hub's callback."""
        return self.session.post(f"{self.hub}/hub/lti13/oauth_callback", data=fields, allow_redirects=False, timeout=60)

    def launch(self, **token_changes) -> requests.Response:
        """The whole launch; the answer is the hub's redirect into the kata, or its refusal."""
        query = self.start_login()
        return self.post_id_token(self.platform.authorize(query, self.user, **token_changes))

    def get(self, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 60)
        return self.session.get(f"{self.hub}{path}", **kwargs)

    def xsrf_headers(self) -> dict:
        """The header JupyterHub wants with a cookie-authenticated API request that changes something."""
        if "_xsrf" not in self.session.cookies:
            self.get("/hub/home")
        return {"X-XSRFToken": self.session.cookies.get("_xsrf", path="/hub/") or self.session.cookies["_xsrf"]}

    def new_api_token(self, note="test") -> str:
        answer = self.session.post(f"{self.hub}/hub/api/users/{self.user.username}/tokens",
                                   json={"note": note, "expires_in": 3600}, headers=self.xsrf_headers(), timeout=60)
        assert answer.status_code in (200, 201), (answer.status_code, answer.text[:2000])
        return answer.json()["token"]


class HubApi:
    """The hub's REST API with one token."""

    def __init__(self, hub: str, token: str):
        self.hub = hub
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {token}"

    def __call__(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 120)
        return self.session.request(method, f"{self.hub}/hub/api{path}", **kwargs)

    def user(self, name: str) -> dict:
        answer = self("GET", f"/users/{name}")
        assert answer.status_code == 200, (answer.status_code, answer.text[:2000])
        return answer.json()

    def server(self, name: str):
        """The user's default server as the hub sees it, or None."""
        return self.user(name).get("servers", {}).get("")


def unique_sub() -> str:
    """An id like Canvas's: opaque, stable, never a name."""
    return str(uuid.uuid4())


# --- the class server, brought up with compose as an instructor would ------------------------------

def docker(*args, timeout=120, check=True):
    from support.containers import run
    return run(["docker", *map(str, args)], timeout=timeout, check=check)


def memory_used(container: str) -> int:
    """Bytes the container's processes use now, as `docker stats` counts them (page cache left out)."""
    shown = docker("stats", "--no-stream", "--format", "{{.MemUsage}}", container).stdout.split("/")[0].strip()
    number, unit = float(shown.rstrip("BKMGTikib")), shown.lstrip("0123456789.").strip()
    return int(number * {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "kB": 1e3, "MB": 1e6, "GB": 1e9}[unit])


def resident(container: str) -> int:
    """Bytes of resident memory of the container's processes, added up (`ps`'s RSS)."""
    lines = docker("top", container, "-eo", "rss,pid").stdout.splitlines()[1:]
    return sum(int(line.split()[0]) for line in lines if line.split()) * 1024


class ClassServer:
    """One hub started from `folder`/hub with compose, as project `project`, and what the test
    learns along the way (`figures`: the measured seconds and bytes, for docs/hub.md)."""

    def __init__(self, folder: Path, project: str, compose: list, env: dict, env_file: Path):
        from support.containers import Workbench
        self.folder, self.project, self.compose = folder, project, compose
        self.env, self.env_file = env, env_file
        self.bench = Workbench(folder / "hub", project, compose, env, env_file=env_file)
        self.figures = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.env['HUB_PORT']}"

    @property
    def name(self) -> str:
        return self.env["HUB_NAME"]

    def __call__(self, *args, timeout=300, check=True):
        return self.bench(*args, timeout=timeout, check=check)

    def reconfigure(self, **changes) -> None:
        """New values in the project's .env (the next `up` recreates the hub with them)."""
        from support.containers import write_env_file
        self.env = {**self.env, **changes}
        self.bench.env = self.env
        write_env_file(self.env_file, self.env)

    def hub_container(self) -> str:
        found = self("ps", "--all", "--quiet", "hub").stdout.split()
        assert len(found) == 1, f"one hub container expected, found {found}"
        return found[0]

    def logs(self) -> str:
        return self("logs", "--no-color", "hub", check=False).stdout

    def stopped(self):
        """Why the hub no longer runs, with its log; None while it runs."""
        state = docker("inspect", "--format", "{{.State.Status}}", self.hub_container()).stdout.strip()
        if state in ("exited", "dead"):
            return f"the hub {state}:\n{self.logs()[-4000:]}"

    def healthy(self) -> bool:
        try:
            return requests.get(f"{self.url}/hub/health", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def up(self, *services, stage="hub start") -> None:
        """`up -d` and wait until the hub answers through its proxy."""
        from support.containers import wait_for
        begin = time.monotonic()
        self("up", "-d", "--no-build", *services)
        wait_for(self.healthy, "the hub did not answer through its proxy", 180, give_up=self.stopped)
        self.figures[stage] = time.monotonic() - begin

    def student_container(self, api: "HubApi", username: str) -> str:
        server = api.server(username)
        assert server, f"{username} has no server"
        return server["state"]["object_name"]

    def spawn(self, browser: "Browser", api: "HubApi") -> float:
        """Start `browser`'s user's server as the LMS's link does (/hub/spawn); seconds until ready."""
        from support.containers import wait_for
        begin = time.monotonic()
        answer = browser.get("/hub/spawn", allow_redirects=False)
        assert answer.status_code == 302, (answer.status_code, answer.content.decode()[-3000:])

        def failed():
            server = api.server(browser.user.username)
            if not server or not (server.get("pending") or server.get("ready")):
                return f"the spawn ended without a server:\n{self.logs()[-4000:]}"

        wait_for(lambda: (api.server(browser.user.username) or {}).get("ready"),
                 f"{browser.user.username}'s server did not start", 240, give_up=failed)
        return time.monotonic() - begin

    def down(self) -> None:
        """Everything the test made goes: the hub (which stops the servers), their volumes, the network."""
        docker("rm", "--force", f"{self.name}-lms", check=False)   # the test's LMS, on the hub's network
        self("down", "--volumes", "--remove-orphans", timeout=300, check=False)
        leftovers = docker("ps", "--all", "--quiet", "--filter", f"name=^/{self.name}-", check=False).stdout.split()
        if leftovers:
            docker("rm", "--force", *leftovers, check=False)
        volumes = docker("volume", "ls", "--quiet", "--filter", f"name=^{self.name}-", check=False).stdout.split()
        if volumes:
            docker("volume", "rm", "--force", *volumes, check=False)
        for network in (f"{self.name}-students", f"{self.project}_default"):
            if docker("network", "inspect", network, check=False).returncode == 0:
                docker("network", "rm", network, check=False)


class KernelOverHub:
    """A kernel in a student's server, reached through the hub's proxy with the student's API token."""

    def __init__(self, hub: str, username: str, token: str):
        import websocket  # websocket-client, a dependency of jupyter_server

        self.base = f"{hub}/user/{username}"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {token}"
        answer = self.session.post(f"{self.base}/api/kernels", json={"name": "python3"}, timeout=120)
        assert answer.status_code == 201, (answer.status_code, answer.text[:2000])
        self.id = answer.json()["id"]
        self.ws = websocket.create_connection(f"{self.base.replace('http', 'ws', 1)}/api/kernels/{self.id}/channels",
                                              header=[f"Authorization: token {token}"], timeout=300)

    def run(self, code: str) -> tuple:
        from support.lab import execute_cell
        return execute_cell(self.ws, code)

    def close(self):
        self.ws.close()
        self.session.delete(f"{self.base}/api/kernels/{self.id}", timeout=60)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
