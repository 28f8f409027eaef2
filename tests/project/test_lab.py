"""`kata lab` started for real: the token guards the API, and a kernel runs a check cell.

The server is a subprocess on 127.0.0.1, a free port and a known token; it is always stopped
(its whole process group) when the module's tests end.
"""

import json
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from kata import lab
from support.lab import LabServer, execute_cell, free_port, get, page_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = LabServer(tmp_path_factory.mktemp("lab"), secrets.token_hex(16))
    try:
        yield running.wait_until_up()
    finally:
        running.stop()


def test_kata_lab_prints_the_url_with_its_token(server):
    assert f"http://127.0.0.1:{server.port}/lab?token={server.token}" in server.log.read_text()


def test_the_api_answers_200_with_the_token_and_403_without_it_or_with_a_wrong_one(server):
    assert get(f"{server.base}/api/status", server.token)[0] == 200
    assert get(f"{server.base}/api/status")[0] == 403
    assert get(f"{server.base}/api/status", "not-the-token")[0] == 403
    assert get(f"{server.base}/api/contents")[0] == 403


def test_the_lab_page_turns_off_the_news_announcements_and_nbgraders_instructor_tools(server):
    config = page_config(server.base, server.token)
    assert {"@jupyterlab/apputils-extension:announcements", "@jupyter/nbgrader:formgrader",
            "@jupyter/nbgrader:create-assignment"} <= set(config["disabledExtensions"])
    assert get(f"{server.base}/formgrader", server.token)[0] == 404


def test_the_server_serves_the_kata_folder_with_its_notebooks(server):
    status, body = get(f"{server.base}/api/contents/notebooks", server.token)
    assert status == 200
    names = {item["name"] for item in json.loads(body)["content"]}
    assert {"01_tensorflow.ipynb", "02_keras.ipynb"} <= names


def _post(url, token, payload):
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def test_a_kernel_started_through_the_api_runs_a_check_cell_over_its_websocket(server):
    import websocket  # websocket-client, a dependency of jupyter_server

    kernel = _post(f"{server.base}/api/kernels", server.token, {"name": "python3"})
    ws = websocket.create_connection(f"ws://127.0.0.1:{server.port}/api/kernels/{kernel['id']}/channels",
                                     header=[f"Authorization: token {server.token}"], timeout=180)
    try:
        out, errors = execute_cell(ws, 'import kata\nprint("result:", kata.check("conv2d", impl="solutions"))')
    finally:
        ws.close()
        request = urllib.request.Request(f"{server.base}/api/kernels/{kernel['id']}", method="DELETE",
                                         headers={"Authorization": f"token {server.token}"})
        urllib.request.urlopen(request, timeout=60).close()
    assert not errors, errors
    assert "✓ conv2d" in out
    assert "result: True" in out


def test_the_kernel_websocket_refuses_a_connection_without_the_token(server):
    import websocket

    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(f"ws://127.0.0.1:{server.port}/api/kernels/{uuid.uuid4()}/channels", timeout=30)
    assert refused.value.status_code == 403


def test_the_dockerfile_healthcheck_passes_against_a_running_lab_and_fails_without_one(server):
    from support.containers import dockerfile_instructions

    check = next(args for kw, args in dockerfile_instructions((ROOT / "Dockerfile").read_text(encoding="utf-8"))
                 if kw == "HEALTHCHECK")
    command = json.loads(check[check.index("CMD") + 3:].strip())
    assert command[0] == "python"

    def run(port):
        argv = [sys.executable, *(part.replace(":8888/", f":{port}/") for part in command[1:])]
        return subprocess.run(argv, capture_output=True, timeout=60).returncode

    assert run(server.port) == 0
    assert run(free_port()) != 0


def test_kata_lab_refuses_to_listen_on_every_address_without_a_token():
    env = {k: v for k, v in os.environ.items() if k != "JUPYTER_TOKEN"}
    env["KATA_LANG"] = "en"
    done = subprocess.run([sys.executable, "-m", "kata", "lab", "--ip", "0.0.0.0", "--no-browser"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "JUPYTER_TOKEN" in done.stderr and "secrets.token_hex" in done.stderr


def test_a_wildcard_address_also_refuses_a_token_too_short_to_be_safe(monkeypatch):
    monkeypatch.setenv("KATA_LANG", "en")
    with pytest.raises(lab.LabError, match="at least 16"):
        lab.settings(ROOT, ip="0.0.0.0", environ={"JUPYTER_TOKEN": "1234"})


def test_without_jupyter_token_a_local_lab_gets_a_fresh_random_token():
    first = lab.settings(ROOT, environ={})
    second = lab.settings(ROOT, environ={})
    assert first.token_generated and len(first.token) >= 32
    assert first.token != second.token
    assert first.ip == "127.0.0.1"


def test_the_token_travels_in_the_environment_never_on_the_command_line():
    chosen = lab.settings(ROOT, ip="0.0.0.0", environ={"JUPYTER_TOKEN": "a" * 48})
    command = lab.lab_command(chosen)
    assert not any("a" * 48 in part for part in command)
    assert "--ServerApp.ip=0.0.0.0" in command and f"--ServerApp.root_dir={ROOT}" in command
    assert lab.lab_environment(chosen, environ={})["JUPYTER_TOKEN"] == "a" * 48
    assert chosen.url == f"http://127.0.0.1:8888/lab?token={'a' * 48}"


def test_root_outside_a_container_is_refused_in_one_spanish_line_that_says_what_to_do(monkeypatch):
    monkeypatch.setenv("KATA_LANG", "es")
    with pytest.raises(lab.LabError) as refused:
        lab.preflight(lab.settings(ROOT, port=free_port(), environ={}), euid=0, container=False)
    message = str(refused.value)
    assert "\n" not in message and "root" in message and "sin sudo" in message and "--allow-root" in message


def test_root_inside_a_container_runs_and_a_normal_user_is_left_as_asked():
    chosen = lab.settings(ROOT, port=free_port(), environ={})
    assert lab.preflight(chosen, euid=0, container=True).allow_root
    assert not lab.preflight(chosen, euid=1000, container=False).allow_root


def test_a_port_in_use_is_refused_before_jupyter_starts_naming_another_port(monkeypatch):
    import socket

    monkeypatch.setenv("KATA_LANG", "en")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(lab.LabError, match=f"port {port} is already in use.*--port {port + 1}"):
            lab.preflight(lab.settings(ROOT, port=port, environ={}), euid=1000)


def test_a_spanish_kata_opens_jupyterlab_in_spanish_and_an_english_one_as_jupyterlab_comes():
    spanish = lab.lab_command(lab.settings(ROOT, environ={}, lang="es"))
    folder = Path(next(a for a in spanish if a.startswith("--LabApp.app_settings_dir=")).split("=", 1)[1])
    overrides = json.loads((folder / "overrides.json").read_text())
    assert overrides["@jupyterlab/translation-extension:plugin"]["locale"] == "es_ES"
    assert not any("app_settings_dir" in a for a in lab.lab_command(lab.settings(ROOT, environ={}, lang="en")))


def test_with_its_log_hidden_ctrl_c_stops_the_lab_without_a_question_nobody_would_see():
    assert "--ServerApp.answer_yes=True" in lab.lab_command(lab.settings(ROOT, environ={}))
    assert "--ServerApp.answer_yes=True" not in lab.lab_command(lab.settings(ROOT, environ={}, verbose=True))



def test_a_lab_that_stops_with_an_error_shows_the_end_of_its_hidden_log(tmp_path):
    env = {**os.environ, "KATA_LANG": "en", "JUPYTER_TOKEN": secrets.token_hex(16),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    # an address this machine does not have: the port is free, so Jupyter itself fails to listen
    done = subprocess.run([sys.executable, "-m", "kata", "lab", "--ip", "192.0.2.1", "--port", str(free_port()),
                           "--no-browser", "--allow-root"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode != 0
    assert "JupyterLab stopped with an error" in done.stderr and "Cannot assign requested address" in done.stderr, (
        done.stdout + done.stderr)
