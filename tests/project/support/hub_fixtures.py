"""The class server for every test module that needs it (a pytest plugin: `pytest_plugins = ("support.hub_fixtures",)`).

Building both images and starting the hub takes minutes, so one hub serves a whole test session:
`class_server` is the hub of test_hub.py (its first part) and test_handin_hub.py. It does what an
instructor does, in a copy of this checkout: fill the wheelhouses (the students' image and the
hub's), build both images with the hub's compose file, start the hub with LTI 1.3 settings, and
let the LMS (`hub_support.Platform`) launch two students and an instructor. The hub is taken down
when the last test module that uses it ends (not at the end of the session: the rest of the suite
should not share the machine with it).

The figures docs/hub.md quotes (start and spawn seconds, memory) are printed at the end. Where no
Docker engine can be had the tests are skipped; CI has one, and there a skip fails the run.
"""

import json
import secrets
import shutil
import time
from pathlib import Path

import pytest

from support.containers import copy_working_tree, fill_wheelhouse, run, say, wait_for
from support.hub import (INSTRUCTOR, Browser, ClassServer, HubApi, LmsUser, Platform, docker, memory_used,
                         resident, unique_sub)
from support.lab import free_port

MEM_LIMIT = "2G"
# The course's deadline at the start: far away, so that every hand-in is on time until a test moves it.
DEADLINE = "2099-06-30T23:59+02:00"


@pytest.fixture(scope="session")
def hub_engine(docker_engine):
    return docker_engine


def _build(folder: Path, hub: ClassServer) -> None:
    """The wheelhouses (made on the host: builds cannot reach the registries here), then both images."""
    begin = time.monotonic()
    fill_wheelhouse(folder)          # the container test's, when it ran in this session
    run([folder / "hub" / "packages"], cwd=folder, timeout=600)
    hub.figures["wheelhouses"] = time.monotonic() - begin
    begin = time.monotonic()
    hub("build", timeout=2400)
    hub.figures["build (both images)"] = time.monotonic() - begin


@pytest.fixture(scope="session")
def lms():
    """The test LMS, its people, and its pages on 127.0.0.1 for Chromium."""
    platform = Platform()
    people = {"a": LmsUser(unique_sub(), "Ana García"),          # a Canvas-like opaque id
              "b": LmsUser("1042", "Luis Martín"),                # a Moodle-like numeric id
              "teacher": LmsUser(unique_sub(), "Profesora Ruiz", (INSTRUCTOR,)),
              "c": LmsUser(unique_sub(), "Carla Gómez")}
    base, stop = platform.serve({user.sub: user for user in people.values()})
    platform.authorize_url = f"{base}/authorize"
    platform.pages = base
    platform.people = people
    try:
        yield platform
    finally:
        stop()


@pytest.fixture(scope="session")
def session_class_server(hub_engine, lms, tmp_path_factory, request):
    """The hub up with LTI 1.3, students A and B spawned, the instructor's admin API at hand."""
    base = tmp_path_factory.mktemp("hub")
    folder = copy_working_tree(base / "kata")
    name = f"cnnkatahubtest{secrets.token_hex(3)}"
    platform_dir = base / "platform"
    platform_dir.mkdir()
    (platform_dir / "jwks.json").write_text(json.dumps(lms.jwks()))
    platform_dir.chmod(0o755)
    hub = ClassServer(folder, name, hub_engine, {
        "HUB_NAME": name, "HUB_PORT": free_port(), "HUB_AUTH": "lti",
        "HUB_LTI_ISSUER": lms.issuer, "HUB_LTI_CLIENT_ID": f"{lms.client_id},another-registration",
        "HUB_LTI_AUTHORIZE_URL": lms.authorize_url, "HUB_LTI_JWKS_URL": "http://lms:8080/jwks.json",
        "HUB_STUDENT_IMAGE": f"cnn-kata-lab:{name}", "HUB_MEM_LIMIT": MEM_LIMIT, "HUB_CPU_LIMIT": "1",
        "HUB_CULL_TIMEOUT": "3600", "HUB_LANG": "es", "HUB_HANDIN_DEADLINE": DEADLINE}, base / "hub.env")
    hub.platform = lms
    try:
        _build(folder, hub)
        hub.up()
        # The LMS's keys, where the hub fetches them: a web server on the hub's network, named lms.
        docker("run", "--detach", "--name", f"{name}-lms", "--network", f"{name}_default", "--network-alias", "lms",
               "--no-healthcheck", "--volume", f"{platform_dir}:/platform:ro", "cnn-kata-hub:0.2.0",
               "python3", "-m", "http.server", "8080", "--directory", "/platform")
        reach_keys = ["exec", hub.hub_container(), "python", "-c",
                      "import urllib.request; urllib.request.urlopen('http://lms:8080/jwks.json', timeout=5)"]
        wait_for(lambda: docker(*reach_keys, check=False).returncode == 0, "the hub cannot fetch the test LMS's keys", 60)
        hub.browsers = {key: Browser(hub.url, lms, user) for key, user in lms.people.items()}
        launch_and_spawn(hub)
        yield hub
    finally:
        hub.down()
        docker("rmi", f"cnn-kata-lab:{name}", check=False)
        say(request, "hub: " + ", ".join(f"{stage} {value / 2**20:.0f} MiB" if isinstance(value, int) else f"{stage} {value:.1f} s"
                                         for stage, value in hub.figures.items()))
        shutil.rmtree(base, ignore_errors=True)


def launch_and_spawn(hub: ClassServer) -> None:
    """Students A and B and the instructor launch from the LMS; A's and B's servers start."""
    for key in ("a", "b", "teacher"):
        answer = hub.browsers[key].launch()
        assert answer.status_code == 302 and answer.headers["Location"] == "/hub/spawn", (
            answer.status_code, answer.content.decode()[-2000:])
    hub.admin = HubApi(hub.url, hub.browsers["teacher"].new_api_token("the instructor's"))
    people = hub.platform.people
    first = "first spawn" if "first spawn" not in hub.figures else "spawn again"
    hub.figures[first] = hub.spawn(hub.browsers["a"], hub.admin)
    hub.spawn(hub.browsers["b"], hub.admin)
    idle = hub.student_container(hub.admin, people["b"].username)
    hub.figures.setdefault("idle server (docker stats)", memory_used(idle))
    hub.figures.setdefault("idle server (RSS)", resident(idle))
    hub.figures.setdefault("the hub itself (docker stats)", memory_used(hub.hub_container()))


def _used_later(request) -> bool:
    """Whether a test after this module's last one needs the class server."""
    items = request.session.items
    mine = [i for i, item in enumerate(items) if item.nodeid.startswith(request.node.nodeid)]
    return any("class_server" in item.fixturenames for item in items[max(mine, default=len(items)) + 1:])


@pytest.fixture(scope="module")
def class_server(session_class_server, request):
    """The session's hub, as LTI 1.3 left it; down once no later test module needs it."""
    hub = session_class_server
    if hub.env["HUB_AUTH"] != "lti" or hub.env["HUB_CULL_TIMEOUT"] != "3600":
        # An earlier module restarted it otherwise (test_hub.py's class list and quick culler): back to LTI.
        hub.reconfigure(HUB_AUTH="lti", HUB_CULL_TIMEOUT="3600", HUB_CULL_EVERY="")
        hub.up("hub", stage="hub restart (back to LTI)")
        launch_and_spawn(hub)
    yield hub
    if not _used_later(request):
        hub.down()
