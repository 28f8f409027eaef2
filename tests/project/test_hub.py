"""The class server started for real: JupyterHub from hub/, students arriving from a test LMS.

A fixture shared with test_handin_hub.py (hub_fixtures.py) does what an instructor does, in a copy
of this checkout: fill the wheelhouses (the students' image and the hub's), build both images with
the hub's compose file, start the hub with LTI 1.3 settings, and let the LMS launch two students
and an instructor. The
LMS is `hub_support.Platform`, written here: an RSA key, its JWKS served to the hub by a small
container on the hub's network, the OIDC login and authorize steps, signed id_tokens. The tests
then check what a course relies on: a container per student with the limits and a volume of
their own, no way into another student's server, forged and expired launches refused with a page
that says why, a kernel running `kata check` through the hub, a missing image and a server out of
memory explained, the lab in Chromium. A second part restarts the hub with a class list instead of LTI and a culler that
stops idle servers after 20 seconds, and checks that nothing a student wrote is lost.

The figures docs/hub.md quotes (start and spawn seconds, memory) are printed as the tests go;
nothing is asserted about time. Where no Docker engine can be had the module is skipped; CI has
one, and there a skip fails the run.
"""

import json
import os
import re
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from support.containers import legacy_build_env, run, wait_for
from support.hub import (Browser, ClassServer, HubApi, KernelOverHub, LmsUser, docker, memory_used, new_key,
                         resident)
from support.containers import say
from support.browser import CHROMIUM, FLAGS

pytestmark = pytest.mark.slow

SUBMITTED = "mine.txt"       # what student A writes in a kernel, and must find after every restart


# The class server itself (`class_server`: built, started with LTI 1.3, students A and B spawned) is
# shared with test_handin_hub.py: tests/project/hub_fixtures.py.
pytest_plugins = ("support.hub_fixtures",)


def _person(server, key) -> tuple:
    return server.browsers[key], server.platform.people[key]


def _page_text(answer) -> str:
    return answer.content.decode("utf-8")


# --- part 1: LTI 1.3 --------------------------------------------------------------------------------

def test_the_hub_publishes_only_its_proxys_port_and_only_on_loopback(class_server):
    published = docker("port", class_server.hub_container()).stdout.split("\n")
    assert [line for line in published if line] == [f"8000/tcp -> 127.0.0.1:{class_server.env['HUB_PORT']}"]
    for key in ("a", "b"):
        container = class_server.student_container(class_server.admin, class_server.platform.people[key].username)
        assert docker("port", container).stdout.strip() == ""


def test_each_student_gets_a_container_of_the_kata_image_as_a_normal_user_with_the_limits_and_their_own_volume(class_server):
    seen_volumes = set()
    for key in ("a", "b"):
        user = class_server.platform.people[key]
        container = class_server.student_container(class_server.admin, user.username)
        info = json.loads(docker("inspect", container).stdout)[0]
        assert info["Config"]["Image"] == class_server.env["HUB_STUDENT_IMAGE"]
        uid = docker("exec", container, "id", "-u").stdout.strip()
        assert uid != "0" and all(line.split()[0] == uid for line in
                                  docker("top", container, "-eo", "uid,pid").stdout.splitlines()[1:])
        assert info["HostConfig"]["Memory"] == 2 * 2**30
        assert info["HostConfig"]["CpuQuota"] == info["HostConfig"]["CpuPeriod"] == 100000
        assert info["HostConfig"]["CapDrop"] == ["ALL"]
        [mount] = info["Mounts"]
        assert mount["Type"] == "volume" and mount["Destination"] == "/home/student/kata"
        assert mount["Name"].startswith(f"{class_server.name}-work-") and mount["Name"] not in seen_volumes
        seen_volumes.add(mount["Name"])
        # The volume was empty: the image's entry point gave the student the kata's starting files.
        listed = docker("exec", container, "ls", "exercises", "notebooks", "kata/steps.toml").stdout
        assert "data.py" in listed and "01_tensorflow.ipynb" in listed


def test_the_docker_socket_is_the_hubs_alone_and_the_students_network_leads_nowhere_else(class_server):
    hub = json.loads(docker("inspect", class_server.hub_container()).stdout)[0]
    assert any(m["Destination"] == "/var/run/docker.sock" for m in hub["Mounts"])
    students_network = f"{class_server.name}-students"
    assert json.loads(docker("network", "inspect", students_network).stdout)[0]["Internal"] is True
    for key in ("a", "b"):
        container = class_server.student_container(class_server.admin, class_server.platform.people[key].username)
        info = json.loads(docker("inspect", container).stdout)[0]
        assert not any("docker.sock" in (m.get("Source") or "") + m["Destination"] for m in info["Mounts"])
        assert list(info["NetworkSettings"]["Networks"]) == [students_network]
        assert docker("exec", container, "test", "-e", "/var/run/docker.sock", check=False).returncode != 0


def test_student_a_cannot_use_student_bs_server_through_the_proxy(class_server):
    a, _ = _person(class_server, "a")
    b_name = class_server.platform.people["b"].username
    assert a.get(f"/user/{a.user.username}/lab").status_code == 200          # A's own lab opens
    assert a.get(f"/user/{b_name}/api/contents").status_code == 403          # B's files: refused
    answer = a.get(f"/user/{b_name}/lab")                                    # B's lab: the hub refuses A
    assert answer.status_code == 403 and "/hub/api/oauth2/authorize" in answer.url
    a_token = a.new_api_token("A's")
    with_token = HubApi(class_server.url, a_token)
    assert with_token.session.get(f"{class_server.url}/user/{b_name}/api/contents", timeout=60).status_code == 403
    class_server.a_token = a_token


def test_the_username_is_the_lms_id_and_the_name_it_shares_is_only_shown(class_server):
    a = class_server.platform.people["a"]
    model = class_server.admin.user(a.username)
    assert model["name"] == a.sub.lower() and model["user_info"] == {"display_name": "Ana García"}
    # A renamed account is the same student: the name is never the key.
    renamed = Browser(class_server.url, class_server.platform, LmsUser(a.sub, "Ana G. (nuevo nombre)"))
    assert renamed.launch().status_code == 302
    assert class_server.admin.user(a.username)["user_info"] == {"display_name": "Ana G. (nuevo nombre)"}


def test_the_instructor_is_an_admin_who_sees_the_class_servers_and_students_are_not(class_server):
    listed = class_server.admin("GET", "/users")
    assert listed.status_code == 200
    running = {user["name"] for user in listed.json() if user.get("server")}
    people = class_server.platform.people
    assert {people["a"].username, people["b"].username} <= running
    assert class_server.admin.user(people["teacher"].username)["admin"] is True
    assert class_server.browsers["teacher"].get("/hub/admin").status_code == 200
    # The instructor opens a student's lab to help them where they are.
    assert class_server.browsers["teacher"].get(f"/user/{people['a'].username}/lab").status_code == 200
    assert class_server.admin.user(people["a"].username)["admin"] is False
    assert class_server.browsers["b"].get("/hub/admin").status_code == 403


LAUNCHES = {
    "forged signature": (dict(key=new_key()), 400, "firma"),
    "key the LMS never published": (dict(key=new_key(), kid="someone-elses-key"), 400, "firma"),
    "expired": (dict(iat=int(time.time()) - 4000, exp=int(time.time()) - 3600), 400, "caducado"),
    "wrong issuer": (dict(iss="https://lms.impostor.test"), 400, "plataforma que este servidor no conoce"),
    "wrong client id": (dict(aud="not-this-tool"), 401, "otra herramienta"),
    "wrong nonce": (dict(nonce="0" * 64), 400, "no corresponde a esta ventana"),
}


@pytest.mark.parametrize("case", LAUNCHES)
def test_a_bad_launch_gets_no_session_and_a_page_that_says_why(class_server, case):
    changes, status, words = LAUNCHES[case]
    intruder = Browser(class_server.url, class_server.platform, LmsUser(f"intruder-{case.replace(' ', '-')}", "X"))
    answer = intruder.launch(**changes)
    page = _page_text(answer)
    assert answer.status_code == status, page[-2000:]
    assert words in page and 'lang="en"' in page and "Traceback" not in page
    assert "jupyterhub-hub-login" not in intruder.session.cookies
    assert intruder.get("/hub/home", allow_redirects=False).status_code == 302     # to the login page
    assert "LTI launch refused" in class_server.logs() and intruder.user.sub in class_server.logs()


def test_opening_the_login_address_by_hand_says_to_come_from_the_course(class_server):
    passer_by = Browser(class_server.url, class_server.platform, LmsUser("nobody", "Nadie"))
    answer = passer_by.get("/hub/lti13/oauth_login")
    assert answer.status_code == 400 and "entra desde la actividad de la kata" in _page_text(answer)
    assert "Moodle o Canvas" in _page_text(passer_by.get("/hub/login"))


def test_a_kernel_of_student_a_runs_the_data_check_through_the_hub(class_server, request):
    a, user = _person(class_server, "a")
    token = getattr(class_server, "a_token", None) or a.new_api_token("A's")
    class_server.a_token = token
    with KernelOverHub(class_server.url, user.username, token) as kernel:
        notebook = kernel.session.get(f"{kernel.base}/api/contents/notebooks/01_tensorflow.ipynb", timeout=60).json()
        cells = ["".join(cell["source"]) for cell in notebook["content"]["cells"] if cell["cell_type"] == "code"]
        setup = [cell for cell in cells if "setup(" in cell]
        check = [cell for cell in cells if re.search(r"""check\(["']data["']\)""", cell)]
        for cell in (cells[0], setup[0]):
            out, error = kernel.run(cell)
            assert not error, error
        out, error = kernel.run(check[0])
        assert "exercises/data.py" in error and "aún sin implementar" in error, (out, error)
        assert "Traceback" not in error
        out, error = kernel.run(f"import os; open({SUBMITTED!r}, 'w').write('el trabajo de Ana'); print(os.getcwd())")
        assert not error and out.strip() == "/home/student/kata", (out, error)
        out, error = kernel.run("import tensorflow as tf; print(tf.reduce_sum(tf.ones((2, 2))).numpy())")
        assert not error and out.strip() == "4.0", (out, error)
        container = class_server.student_container(class_server.admin, user.username)
        class_server.figures["server with TensorFlow and kata check (docker stats)"] = memory_used(container)
        class_server.figures["server with TensorFlow and kata check (RSS)"] = resident(container)


def test_collect_copies_each_students_exercises_into_a_folder_kata_dev_grade_reads(class_server, tmp_path):
    out = tmp_path / "submissions"
    env = {**os.environ, "HUB_NAME": class_server.name, "HUB_STUDENT_IMAGE": class_server.env["HUB_STUDENT_IMAGE"]}
    done = run([class_server.folder / "hub" / "collect", out], cwd=class_server.folder / "hub", env=env, timeout=300)
    people = class_server.platform.people
    assert sorted(p.name for p in out.iterdir()) == sorted([people["a"].username, people["b"].username])
    for key in ("a", "b"):
        assert (out / people[key].username / "exercises" / "data.py").is_file()
    assert "the work of 2 students" in done.stdout
    again = run([class_server.folder / "hub" / "collect", out], cwd=class_server.folder / "hub", env=env, check=False)
    assert again.returncode == 1 and "is not empty" in again.stderr


@contextmanager
def _students_image_replaced(server: ClassServer, dockerfile=None):
    """The hub's image tag taken away for one test (the hub finds no image), or pointed at an image
    built from `dockerfile` on top of it; then put back as it was."""
    image = server.env["HUB_STUDENT_IMAGE"]
    kept = f"{image}-kept"
    docker("tag", image, kept)    # so that taking the hub's tag away never removes the image itself
    docker("rmi", image)
    try:
        if dockerfile:
            run(["docker", "build", "--quiet", "--tag", image, "-"], input=f"FROM {kept}\n{dockerfile}",
                env=legacy_build_env(), timeout=300)
        yield image
    finally:
        docker("rmi", "--force", image, check=False)
        docker("tag", kept, image)
        docker("rmi", kept)


def _spawn_refused(server: ClassServer, key: str) -> str:
    """Student `key` launches and asks for a server that cannot start: what their pages show."""
    browser = server.browsers[key]
    name = browser.user.username
    assert browser.launch().status_code == 302
    answer = browser.get("/hub/spawn")
    if answer.status_code == 200 and f"/hub/spawn-pending/{name}" in answer.url:
        # The progress page: it shows the failure when the spawn ends, then so does the page itself.
        wait_for(lambda: server.admin.server(name) is None, f"{name}'s failing spawn did not end", 240)
        answer = browser.get(f"/hub/spawn-pending/{name}")
    page = _page_text(answer)
    assert answer.status_code == 503, page[-3000:]
    # What the progress page's script shows: the last event of the spawn's progress stream.
    stream = server.admin("GET", f"/users/{name}/server/progress").content.decode("utf-8")
    last = [json.loads(line[len("data:"):]) for line in stream.splitlines() if line.startswith("data:")][-1]
    assert last["failed"] is True, stream
    for shown in (page, last["message"]):
        assert "Tus ficheros están a salvo" in shown and "Your files are safe" in shown and "Traceback" not in shown
    return page


def test_a_student_whose_image_is_missing_sees_a_message_and_the_hub_log_names_the_cause(class_server):
    with _students_image_replaced(class_server) as image:
        page = _spawn_refused(class_server, "c")
    assert "le falta la imagen del curso" in page and image not in page      # the cause is for the admin
    username = class_server.platform.people["c"].username
    assert re.search(rf"Error starting {re.escape(username)}'s server: .*the students' image {re.escape(image)} "
                     r"is not on this Docker engine", class_server.logs())


def test_a_server_out_of_memory_while_starting_is_explained_and_removed(class_server):
    # An image whose start needs more than the 2 GiB each student has.
    grows = 'ENTRYPOINT ["python", "-c", "import time; memory = bytearray(3 * 1024**3); time.sleep(600)"]'
    with _students_image_replaced(class_server, grows) as image:
        page = _spawn_refused(class_server, "c")
        assert docker("ps", "--all", "--quiet", "--filter", f"ancestor={image}").stdout.strip() == ""
    assert "sin memoria al arrancar (cada estudiante tiene 2 GiB)" in page
    username = class_server.platform.people["c"].username
    assert re.search(rf"Error starting {re.escape(username)}'s server: .*ran out of memory while starting "
                     r"\(limit 2 GiB\): raise HUB_MEM_LIMIT", class_server.logs())


def test_chromium_shows_student_as_lab_reached_through_an_lti_launch(class_server, tmp_path, request):
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    import matplotlib.image
    import numpy as np

    a = class_server.platform.people["a"]
    launch = f"{class_server.platform.pages}/launch/{a.sub}?hub={class_server.url}"

    def chromium(*extra):
        return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *extra, launch],
                              capture_output=True, text=True, timeout=240)

    done = chromium("--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "jp-Notebook" in done.stdout and "Fase 2" in done.stdout, done.stdout[-3000:]
    assert f'"baseUrl": "/user/{a.username}/"' in done.stdout      # A's own server, through the hub
    shot = tmp_path / "hub-lab.png"
    done = chromium(f"--screenshot={shot}")
    assert done.returncode == 0, done.stderr[-2000:]
    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[:2] == (900, 1280)
    assert len(np.unique((pixels[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)) > 50
    keep = os.environ.get("KATA_CONTAINER_SCREENSHOT")   # a folder to keep the picture in, to look at it
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / "hub-lab.png")
        say(request, f"hub: screenshot kept in {Path(keep) / 'hub-lab.png'}")


def test_a_hub_missing_an_lti_value_stops_at_once_naming_the_variable(class_server):
    done = docker("run", "--rm", "--env", "HUB_AUTH=lti", "--env", "HUB_LTI_CLIENT_ID=x", "cnn-kata-hub:0.2.0", check=False)
    assert done.returncode == 78
    assert "HUB_LTI_ISSUER is empty" in done.stderr and "Traceback" not in done.stderr


# --- part 2: the same hub restarted with a class list and a quick culler ----------------------------------

@pytest.fixture(scope="module")
def class_list_server(class_server):
    """The hub recreated with HUB_AUTH=classlist and a 20-second culler; its volume keeps its state."""
    a = class_server.platform.people["a"]
    (class_server.folder / "hub" / "class" / "class-list.txt").write_text(
        f"# the test's class\n{a.username}\nluis.martin\n", encoding="utf-8")
    class_server.reconfigure(HUB_AUTH="classlist", HUB_CULL_TIMEOUT="20", HUB_CULL_EVERY="5")
    class_server.up("hub", stage="hub restart (stops the servers)")
    return class_server


def _sign_in(hub: ClassServer, username: str, password: str) -> Browser:
    """The class list's login form, as a browser fills it."""
    browser = Browser(hub.url, hub.platform, LmsUser(username, username))
    form = _page_text(browser.get("/hub/login"))
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form).group(1)
    browser.answer = browser.session.post(f"{hub.url}/hub/login", allow_redirects=False, timeout=60,
                                          data={"username": username, "password": password, "_xsrf": xsrf})
    return browser


def test_the_hubs_state_survives_its_restart(class_list_server):
    assert class_list_server.admin.user(class_list_server.platform.people["teacher"].username)["admin"] is True
    assert class_list_server.admin.server(class_list_server.platform.people["a"].username) is None   # stopped with the hub


def test_with_a_class_list_only_listed_names_sign_in_and_the_first_password_stays_theirs(class_list_server):
    a = class_list_server.platform.people["a"]
    first = _sign_in(class_list_server, a.username, "contraseña-de-ana")
    assert first.answer.status_code == 302 and "jupyterhub-hub-login" in first.session.cookies
    assert _sign_in(class_list_server, a.username, "otra-contraseña").answer.status_code == 403
    stranger = _sign_in(class_list_server, "intruso", "contraseña-larga")
    assert stranger.answer.status_code == 403 and "jupyterhub-hub-login" not in stranger.session.cookies
    class_list_server.a_browser = first


def test_the_culler_stops_an_idle_server_and_the_students_file_is_there_after_a_new_spawn(class_list_server):
    hub, a = class_list_server, class_list_server.platform.people["a"]
    browser = getattr(hub, "a_browser", None) or _sign_in(hub, a.username, "contraseña-de-ana")
    files = HubApi(hub.url, getattr(hub, "a_token", None) or browser.new_api_token("A's")).session

    def submitted():
        answer = files.get(f"{hub.url}/user/{a.username}/api/contents/{SUBMITTED}", timeout=60)
        assert answer.status_code == 200, (answer.status_code, answer.text[:500])
        return answer.json()["content"]

    hub.figures["spawn after the hub's restart"] = hub.spawn(browser, hub.admin)
    assert submitted() == "el trabajo de Ana"
    container = hub.student_container(hub.admin, a.username)
    hub.figures["idle server the culler stops"] = memory_used(container)
    wait_for(lambda: hub.admin.server(a.username) is None, "the culler did not stop A's idle server", 180)
    assert re.search(rf"Culling server {re.escape(a.username)} \(inactive for", hub.logs())
    assert docker("ps", "--all", "--quiet", "--filter", f"name=^/{container}$").stdout.strip() == ""
    hub.figures["warm spawn"] = hub.spawn(browser, hub.admin)
    assert submitted() == "el trabajo de Ana"
