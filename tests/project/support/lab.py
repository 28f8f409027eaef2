"""`kata lab` run for real, and what tests do with it: its pages, its API, a kernel's cells."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, token=None):
    """(status, body) of a GET; HTTP errors are answers too."""
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


class LabServer:
    """`kata lab --no-browser` in its own process group, with what it prints in `folder`/lab.log
    (and, without --verbose, Jupyter's own log in the kata's `.kata/lab-<port>.log`)."""

    def __init__(self, folder: Path, token: str, extra_env=None, verbose=True):
        self.port = free_port()
        self.token = token
        self.log = folder / "lab.log"
        self.jupyter_log = ROOT / ".kata" / f"lab-{self.port}.log"
        self.jupyter_log.unlink(missing_ok=True)     # one an earlier run left would prove nothing
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "JUPYTER_TOKEN": token, "KATA_LANG": "en",
               # keep the machine's Jupyter and IPython state out of it
               "JUPYTER_RUNTIME_DIR": str(folder / "runtime"), "IPYTHONDIR": str(folder / "ipython"),
               **(extra_env or {})}
        # --verbose: Jupyter's log in self.log too, for a failure's message
        command = [sys.executable, "-m", "kata", "lab", "--port", str(self.port), "--no-browser",
                   *(["--verbose"] if verbose else [])]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")  # CI containers run as root; the Docker image does not
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def wait_until_up(self, attempts=240):
        """Poll /api until it answers; each miss waits a quarter second on the process itself."""
        for _ in range(attempts):
            try:
                if get(f"{self.base}/api")[0] == 200:
                    return self
            except OSError:
                pass
            try:
                self.process.wait(timeout=0.25)
            except subprocess.TimeoutExpired:
                continue
            pytest.fail(f"kata lab exited with {self.process.returncode}:\n{self.printed()}")
        pytest.fail(f"kata lab did not answer on port {self.port}:\n{self.printed()}")

    def printed(self) -> str:
        """The end of what kata lab printed, and of Jupyter's log where it was kept apart."""
        hidden = self.jupyter_log.read_text(errors="replace")[-3000:] if self.jupyter_log.exists() else ""
        return self.log.read_text(errors="replace")[-3000:] + (f"\n--- {self.jupyter_log}:\n{hidden}" if hidden else "")

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)


def page_config(base, token) -> dict:
    """The page configuration JupyterLab embeds in /lab (disabled and locked extensions, …)."""
    status, body = get(f"{base}/lab", token)
    assert status == 200, status
    return json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                body.decode(), re.DOTALL).group(1))


def execute_cell(ws, code) -> tuple:
    """Run `code` over a kernel's websocket: (its stdout, the text of its errors or '') once the
    kernel is idle again. The container test drives its kernels with this too."""
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test", "session": uuid.uuid4().hex,
                   "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True},
    }))
    out, errors = [], []
    for _ in range(10_000):  # bounded: a kernel answers a few dozen messages for this cell
        msg = json.loads(ws.recv())
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream" and content["name"] == "stdout":
            out.append(content["text"])
        elif kind == "error":
            errors.append("\n".join(content["traceback"]))
        elif kind == "status" and content["execution_state"] == "idle":
            break
    return "".join(out), "\n".join(errors)


