"""The Jupyter container built and started for real, from this checkout and from a student release.

A module-wide fixture does what an instructor without Docker Hub would: start the engine if none
runs, make the base image if it is missing (docker/base-image), fill the wheelhouse
(docker/wheelhouse), build the image and bring it up with the compose file and a `.env` holding a
random token, a free port and a uid that is neither root nor the image's own user. The tests then
use it as a student does: the token, the port, a kernel writing into the mounted folder and
running a check cell, a browser; and what users ran into: a root uid, a folder the container's uid
cannot read or cannot write.

Where no Docker engine can be had, the module is skipped with what to install; CI has one, and
there a skip fails the run.
"""

import ipaddress
import json
import os
import re
import secrets
import shutil
import socket
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from support.containers import (ROOT, Workbench, canonical, copy_working_tree, fill_wheelhouse, legacy_build_env,
                                locked_versions, run, say, wait_for)
from support.lab import execute_cell, free_port, get, page_config
from support.browser import CHROMIUM
from support.browser import chromium as open_notebook_in_chromium

pytestmark = pytest.mark.slow

IMAGE_SIZE_GOAL = 2.5e9
# Neither root nor the image's own user (1000): the server must run as the uid of `.env`.
TEST_UID = TEST_GID = 2345
NOT_IMPLEMENTED = "not implemented yet"   # the stub's message, with KATA_LANG=en


# --- the engine, the base image and the workbenches -----------------------------------------------

@pytest.fixture(scope="module")
def engine(docker_engine):
    return docker_engine


def make_release(out: Path) -> Path:
    """`kata release OUT`, or `kata dev release OUT` where the instructor's commands live under `kata dev`."""
    kata = [sys.executable, "-m", "kata"]
    overview = run([*kata, "--help"], cwd=ROOT, timeout=120).stdout
    command = ["dev", "release"] if re.search(r"^\s+dev\s", overview, flags=re.M) else ["release"]
    run([*kata, *command, str(out)], cwd=ROOT, timeout=300)
    missing = [name for name in ("Dockerfile", "docker-compose.yml", ".dockerignore", ".env.example",
                                 "requirements.lock", "docker/entrypoint", "docker/base-image", "docker/wheelhouse")
               if not (out / name).exists()]
    assert not missing, (f"the student release lacks {missing}, so its image cannot be built: "
                         f"`kata {' '.join(command)}` must copy them (docker/INTEGRATION.md)")
    return out


def build_context(folder: Path) -> list:
    """The files `docker build` would send from `folder`: copied into a scratch image and listed."""
    tag = f"cnn-kata-context-{uuid.uuid4().hex[:8]}"
    dockerfile = "FROM debian:bookworm-slim\nCOPY . /context\n"
    run(["docker", "build", "--quiet", "--tag", tag, "--file", "-", str(folder)], input=dockerfile,
        env=legacy_build_env(), timeout=300)
    try:
        listed = run(["docker", "run", "--rm", tag, "find", "/context", "-type", "f", "-printf", "%P\\n"], timeout=120)
    finally:
        run(["docker", "rmi", "--force", tag], timeout=120, check=False)
    return sorted(listed.stdout.split())


# Files that must never reach the build context, planted before it is listed.
JUNK = (".env.local", ".git/HEAD", "data/fashion/train-images-idx3-ubyte.gz", "runs/r1/metrics.json",
        "exercises/__pycache__/data.cpython-311.pyc", "notebooks/.ipynb_checkpoints/01-checkpoint.ipynb",
        "kata/__pycache__/cli.cpython-311.pyc", "wheelhouse/notes.txt", ".kata/progress.json")
PLANTED_WHEEL = "wheelhouse/planted-0.0-py3-none-any.whl"


@pytest.fixture(scope="module", params=["repository", "release"])
def bench(request, engine, tmp_path_factory):
    """The workbench up and healthy, from a copy of this checkout or from `kata release`."""
    base = tmp_path_factory.mktemp(f"container-{request.param}")
    folder = copy_working_tree(base / "kata") if request.param == "repository" else make_release(base / "release")
    uid, gid = (TEST_UID, TEST_GID) if os.geteuid() == 0 else (os.getuid(), os.getgid())
    workbench = Workbench(folder, f"cnnkatatest{secrets.token_hex(4)}", engine, {
        "JUPYTER_TOKEN": secrets.token_hex(24), "KATA_UID": uid, "KATA_GID": gid,
        "KATA_PORT": free_port(), "KATA_LANG": "en"})
    workbench.source = request.param

    for rel in (*JUNK, PLANTED_WHEEL):
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text("planted by the test\n")
    workbench.context = build_context(folder)
    for rel in (*JUNK, PLANTED_WHEEL):
        (folder / rel).unlink()
        for parent in Path(rel).parents[:-1]:   # the folders made for it, once empty
            if any((folder / parent).iterdir()):
                break
            (folder / parent).rmdir()

    begin = time.monotonic()
    fill_wheelhouse(folder)   # docker/wheelhouse, once per session (container_support)
    workbench.seconds["wheelhouse"] = time.monotonic() - begin
    if os.geteuid() == 0:
        run(["chown", "-R", f"{uid}:{gid}", str(folder)], timeout=120)
    try:
        workbench.timed("build", "build", timeout=1800)
        workbench.timed("up", "up", "-d", timeout=300)
        begin = time.monotonic()
        wait_for(lambda: _answers(f"{workbench.base}/api"), "the server did not answer", 240, give_up=workbench.stopped)
        workbench.seconds["up to serving"] = time.monotonic() - begin
        workbench.wait_healthy()   # the first health check comes 10 s after the start
        workbench.seconds["up to healthy"] = time.monotonic() - begin
        workbench.image = workbench.inspect("{{.Config.Image}}")
        yield workbench
    finally:
        workbench.down()
        say(request, f"container ({request.param}): " + ", ".join(
            f"{stage} {seconds:.0f} s" for stage, seconds in workbench.seconds.items()))
        shutil.rmtree(base, ignore_errors=True)


def _answers(url) -> bool:
    try:
        return get(url)[0] == 200
    except OSError:   # not listening yet, or the connection reset while it starts
        return False


# --- a kernel over the REST API -------------------------------------------------------------------

def _request(method, url, token, payload=None):
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
    return json.loads(body) if body else None


class Kernel:
    """A kernel started through the server's REST API and driven over its websocket."""

    def __init__(self, bench):
        import websocket  # websocket-client, a dependency of jupyter_server

        self.bench = bench
        self.id = _request("POST", f"{bench.base}/api/kernels", bench.token, {"name": "python3"})["id"]
        self.ws = websocket.create_connection(f"{bench.base.replace('http', 'ws', 1)}/api/kernels/{self.id}/channels",
                                              header=[f"Authorization: token {bench.token}"], timeout=300)

    def run(self, code: str) -> tuple:
        """(stdout, error) of one cell; error is the text IPython shows for an exception, or ''."""
        return execute_cell(self.ws, code)

    def close(self):
        self.ws.close()
        _request("DELETE", f"{self.bench.base}/api/kernels/{self.id}", self.bench.token)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def notebook_cells(folder: Path, name: str) -> list:
    notebook = json.loads((folder / "notebooks" / name).read_text(encoding="utf-8"))
    return ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"]


# --- the image ------------------------------------------------------------------------------------

def test_the_build_context_holds_only_what_the_image_needs(bench):
    context = bench.context
    expected = {"requirements.lock", "pyproject.toml", "README.md", "LICENSE", "input_data.py",
                "docker/entrypoint", "conftest.py", PLANTED_WHEEL}
    # The kata, and a student's starting files for the class server (hub/): stubs, notebooks, public tests.
    folders = ("kata/", "exercises/", "notebooks/", "tests/steps/")
    within = {rel for rel in context if rel.startswith(folders)}
    assert set(context) - within == expected
    assert all(any(rel.startswith(folder) for rel in within) for folder in folders)
    assert all("__pycache__" not in rel and ".ipynb_checkpoints" not in rel for rel in within)


def test_the_image_holds_exactly_the_locked_packages_and_the_kata(bench):
    listed = run(["docker", "run", "--rm", "--entrypoint", "python", bench.image, "-m", "pip", "list",
                  "--format=json"], timeout=120)
    installed = {canonical(p["name"]): p["version"] for p in json.loads(listed.stdout)}
    arch = run(["docker", "image", "inspect", "--format", "{{.Architecture}}", bench.image], timeout=30).stdout.strip()
    locked = locked_versions(bench.folder, {"amd64": "x86_64", "arm64": "aarch64"}.get(arch, arch))
    kata_version = installed.pop("cnn-kata")
    installed.pop("pip")  # the virtual environment's own, from Debian's python3-venv
    assert installed == locked
    assert re.search(rf'^version = "{re.escape(kata_version)}"$',
                     (bench.folder / "pyproject.toml").read_text(encoding="utf-8"), flags=re.M)


def test_the_image_is_lean_and_holds_no_copy_of_the_project_or_the_wheels(bench, request):
    size = int(run(["docker", "image", "inspect", "--format", "{{.Size}}", bench.image], timeout=30).stdout)
    say(request, f"container ({bench.source}): image {bench.image} is {size / 1e9:.2f} GB")
    assert size <= IMAGE_SIZE_GOAL, f"{bench.image} is {size / 1e9:.2f} GB, over the goal of {IMAGE_SIZE_GOAL / 1e9} GB"
    found = run(["docker", "run", "--rm", "--user", "0", "--entrypoint", "find", bench.image, "/", "-xdev",
                 "(", "-name", "*.whl", "-o", "-name", "steps.toml", "-o", "-name", "input_data.py",
                 "-o", "-name", "exercises", "-o", "-name", "solutions", "-o", "-name", "cnn-kata", ")", "-print"],
                timeout=120).stdout.split()
    # The kata once, and once more as the class server's starter (its stubs, never solutions).
    assert sorted(found) == ["/opt/kata-starter/course/input_data.py", "/opt/kata-starter/course/kata/steps.toml",
                             "/opt/kata-starter/work/exercises", "/opt/kata/input_data.py",
                             "/opt/kata/kata/steps.toml"], found


# --- the workbench, as a student uses it ----------------------------------------------------------

def test_the_workbench_turns_healthy_and_never_restarts_on_its_own(bench):
    assert bench.inspect("{{.State.Health.Status}}") == "healthy"
    assert bench.inspect("{{.HostConfig.RestartPolicy.Name}}") == "no"


def test_the_token_guards_the_server(bench):
    assert get(f"{bench.base}/lab?token={bench.token}")[0] == 200
    assert get(f"{bench.base}/api/contents")[0] == 403
    assert get(f"{bench.base}/api/contents", "not-the-token")[0] == 403
    status, body = get(f"{bench.base}/api/contents/notebooks", bench.token)
    assert status == 200
    assert "01_tensorflow.ipynb" in {item["name"] for item in json.loads(body)["content"]}


def _outward_address():
    """This machine's address on its way out, None without a route (connecting a UDP socket sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere real
        except OSError:
            return None
        return probe.getsockname()[0]


def _listening(proc_net: str) -> set:
    """(address, port) of every listening TCP socket in the text of /proc/net/tcp and tcp6."""
    found = set()
    for line in proc_net.splitlines():
        fields = line.split()
        if len(fields) > 3 and fields[3] == "0A":  # TCP_LISTEN
            address, port = fields[1].split(":")
            # The kernel prints each 32-bit word of the address in host (little-endian) order.
            raw = b"".join(bytes.fromhex(address[i:i + 8])[::-1] for i in range(0, len(address), 8))
            found.add((ipaddress.ip_address(raw), int(port, 16)))
    return found


def test_the_port_is_published_on_127_0_0_1_only(bench):
    container = bench.container()
    port = int(bench.env["KATA_PORT"])
    published = run(["docker", "port", container], timeout=30).stdout.split("\n")
    assert [line for line in published if line] == [f"8888/tcp -> 127.0.0.1:{port}"]
    outward = _outward_address()
    if outward and not ipaddress.ip_address(outward).is_loopback:
        with pytest.raises(OSError):  # refused: nothing listens there
            socket.create_connection((outward, port), timeout=10).close()
    # Inside, only the server listens beyond loopback (kernels bind 127.0.0.1, Docker's DNS 127.0.0.11).
    tables = run(["docker", "exec", container, "cat", "/proc/net/tcp", "/proc/net/tcp6"], timeout=30).stdout
    outside = {port for address, port in _listening(tables)
               if not (address.is_loopback or getattr(address, "ipv4_mapped", None) and address.ipv4_mapped.is_loopback)}
    assert outside == {8888}


def test_the_server_runs_as_the_uid_of_env_and_what_a_kernel_writes_is_that_users(bench):
    uid, gid = int(bench.env["KATA_UID"]), int(bench.env["KATA_GID"])
    processes = run(["docker", "top", bench.container(), "-eo", "uid,gid,pid,args"], timeout=30).stdout.splitlines()[1:]
    assert processes and all(line.split()[:2] == [str(uid), str(gid)] for line in processes), processes
    name = f"written-in-the-container-{uuid.uuid4().hex[:8]}.txt"
    with Kernel(bench) as kernel:
        out, error = kernel.run("import os, pathlib\n"
                                f"pathlib.Path(os.environ['KATA_ROOT'], {name!r}).write_text('from the kernel')\n"
                                "print(os.getuid(), os.getgid())")
    assert not error, error
    assert out.split() == [str(uid), str(gid)]
    written = bench.folder / name
    assert written.read_text() == "from the kernel"
    assert (written.stat().st_uid, written.stat().st_gid) == (uid, gid)
    written.unlink()


def test_a_kernel_runs_the_data_check_cell_on_the_mounted_stub(bench):
    cells = notebook_cells(bench.folder, "01_tensorflow.ipynb")
    setup = [cell for cell in cells if "setup(" in cell]
    check = [cell for cell in cells if re.search(r"""check\(["']data["']\)""", cell)]
    assert "IMPL" in cells[0] and setup and check   # the parameters cell comes first
    with Kernel(bench) as kernel:
        for cell in (cells[0], setup[0]):
            out, error = kernel.run(cell)
            assert not error, error
        out, error = kernel.run(check[0])
    assert NOT_IMPLEMENTED in error and "exercises/data.py" in error, (out, error)
    assert "Traceback" not in error


def test_only_the_students_part_of_nbgrader_is_served(bench):
    for instructor_tool in ("formgrader", "formgraders"):   # formgrader, course list
        assert get(f"{bench.base}/{instructor_tool}", bench.token)[0] == 404, instructor_tool
    assert get(f"{bench.base}/assignments/validate", bench.token)[0] == 405   # there, for POST only
    assert get(f"{bench.base}/assignments", bench.token)[0] != 404
    config = page_config(bench.base, bench.token)
    quiet = {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:course-list", "@jupyter/nbgrader:create-assignment",
             "@jupyterlab/apputils-extension:announcements"}
    assert quiet <= set(config["disabledExtensions"]) and quiet <= set(config["lockedExtensions"])
    assert not {"@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:validate-assignment"} & set(config["disabledExtensions"])


def test_chromium_shows_the_notebook_served_by_the_container(bench, tmp_path, request):
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    done = open_notebook_in_chromium(bench, tmp_path, "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert "jp-Notebook" in dom and "Fase 2" in dom and "Password or token" not in dom
    # Both show up within seconds where they are enabled: the news question as a toast and
    # nbgrader's "Create Assignment" as a side-bar tab.
    assert "Jupyter news" not in dom and "Create Assignment" not in dom

    import matplotlib.image
    import numpy as np

    shot = tmp_path / "lab.png"
    done = open_notebook_in_chromium(bench, tmp_path, f"--screenshot={shot}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[:2] == (900, 1280)
    assert len(np.unique((pixels[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)) > 50
    keep = os.environ.get("KATA_CONTAINER_SCREENSHOT")   # a folder to keep the picture in, to look at it
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / f"lab-{bench.source}.png")
        say(request, f"container ({bench.source}): screenshot kept in {Path(keep) / f'lab-{bench.source}.png'}")


# --- what users ran into --------------------------------------------------------------------------

def _second_project(bench, tmp_path, **changes) -> Workbench:
    """Another compose project on the same folder and image, with some variables changed."""
    return Workbench(bench.folder, f"{bench.project}x{secrets.token_hex(2)}", bench.compose,
                     {**bench.env, "KATA_PORT": free_port(), **changes}, env_file=tmp_path / "other.env")


def _stops_once(project: Workbench) -> str:
    """Start `project`, wait for its container to exit: 78 and no restart. Returns its log."""
    project("up", "-d", "--no-build")
    status = run(["docker", "wait", project.container()], timeout=120).stdout.strip()
    logs = project.logs()
    assert status == "78", logs
    assert project.inspect("{{.RestartCount}}") == "0"
    assert project.inspect("{{.HostConfig.RestartPolicy.Name}}") == "no"
    return logs


def test_a_root_uid_stops_once_and_says_what_to_do(bench, tmp_path):
    root = _second_project(bench, tmp_path, KATA_UID=0, KATA_GID=0)
    try:
        logs = _stops_once(root)
    finally:
        root.down()
    assert logs.count("does not run as root") == 1 and "chown -R 1000:1000" in logs, logs


@pytest.fixture
def folder_mode(bench):
    """Sets the mode of the mounted folder for one test, then puts the old one back."""
    old = bench.folder.stat().st_mode & 0o7777
    yield bench.folder.chmod
    bench.folder.chmod(old)


def test_a_folder_the_container_cannot_read_stops_it_once_with_whose_it_is(bench, tmp_path, folder_mode):
    folder_mode(0o700)
    owner = f"{bench.env['KATA_UID']}:{bench.env['KATA_GID']}"
    stranger = _second_project(bench, tmp_path, KATA_UID=int(bench.env["KATA_UID"]) + 1)
    try:
        logs = _stops_once(stranger)
    finally:
        stranger.down()
    assert f"cannot read your folder, which belongs to {owner}" in logs and "KATA_UID" in logs, logs


def test_a_folder_the_container_cannot_write_gets_a_one_line_note_and_still_serves(bench, tmp_path, folder_mode):
    folder_mode(0o755)
    owner = f"{bench.env['KATA_UID']}:{bench.env['KATA_GID']}"
    stranger = _second_project(bench, tmp_path, KATA_UID=int(bench.env["KATA_UID"]) + 1)
    try:
        stranger("up", "-d", "--no-build")
        stranger.wait_healthy()
        notes = [line for line in stranger.logs().splitlines() if "note: your folder belongs to" in line]
        assert len(notes) == 1 and owner in notes[0] and "KATA_UID" in notes[0], notes
        assert get(f"{stranger.base}/api/contents/notebooks", stranger.token)[0] == 200
        checked = run(["docker", "exec", stranger.container(), "kata", "check", "data"], check=False)
        said = checked.stdout + checked.stderr
        assert "cannot write" in said and NOT_IMPLEMENTED in said and "Traceback" not in said, said
    finally:
        stranger.down()


def test_compose_down_leaves_no_container(bench):
    assert bench.leftovers()
    bench.down()
    assert bench.leftovers() == []
    networks = run(["docker", "network", "ls", "--quiet", "--filter",
                    f"label=com.docker.compose.project={bench.project}"], timeout=30).stdout.split()
    assert networks == []
