"""Docker for the container tests: an engine (started here when none runs), Compose (v2's
`docker compose` or Debian's `docker-compose` 1.29) and a workbench, a folder brought up with the
project's compose file as a student would.

Every command has a time limit, and a failure shows the command's own output.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib.machinery import SourceFileLoader
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def wheelhouse_script():
    """docker/wheelhouse as a module: it knows which lines of requirements.lock the image installs."""
    return SourceFileLoader("wheelhouse", str(ROOT / "docker" / "wheelhouse")).load_module()


def canonical(name: str) -> str:
    """A package's name as indexes compare it (PEP 503): `jupyterlab-language-pack-es-ES` is
    `jupyterlab-language-pack-es-es`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_versions(folder: Path, arch: str) -> dict:
    """{canonical package name: version} that the image installs from `folder`'s requirements.lock on `arch`."""
    script = wheelhouse_script()
    lines = script.requirements_for((folder / "requirements.lock").read_text(encoding="utf-8"),
                                    script.image_environment(arch))
    pins = (line.split(" ", 1)[0].split("==") for line in lines)
    return {canonical(name): version for name, version in pins}


class DockerUnavailable(Exception):
    """No Docker engine or Compose here; the message says what to install or start."""


def run(command, *, cwd=None, env=None, timeout=300, check=True, input=None) -> subprocess.CompletedProcess:
    """Run a command; with `check`, a non-zero exit fails the test with its output."""
    done = subprocess.run(command, cwd=cwd, env=env, input=input, capture_output=True, text=True,
                          timeout=timeout)
    if check and done.returncode != 0:
        pytest.fail(f"`{shlex.join(map(str, command))}` exited with {done.returncode}:\n"
                    f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}", pytrace=False)
    return done


def wait_for(condition, what: str, seconds: float, *, poll=0.5, give_up=None):
    """Poll `condition()` until it returns something true, for at most `seconds`.

    `give_up()` may return a message that ends the wait at once (the container has exited, say).
    """
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if result:
            return result
        reason = give_up() if give_up else None
        if reason:
            pytest.fail(f"{what}: {reason}", pytrace=False)
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {seconds:.0f} s", pytrace=False)
        time.sleep(poll)


class Engine:
    """The Docker engine: the one running, or a `dockerd` started here (as root) and stopped by `stop`.

    dockerd picks its storage driver itself: overlay2 where the kernel allows it, else vfs.
    """

    def __init__(self, log: Path):
        self.log = log
        self.process = None

    @staticmethod
    def answers() -> bool:
        try:
            return subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            return False

    def start(self) -> "Engine":
        if shutil.which("docker") is None:
            raise DockerUnavailable("docker is not installed (Debian: apt-get install docker.io)")
        if self.answers():
            return self
        dockerd = shutil.which("dockerd")
        if dockerd is None or os.geteuid() != 0:
            raise DockerUnavailable("no Docker engine answers, and starting one here needs root and dockerd: "
                                    "start Docker (systemctl start docker, or Docker Desktop) and run the tests again")
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen([dockerd], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

        def exited():
            if self.process.poll() is not None:
                return f"dockerd exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}"

        wait_for(self.answers, "the Docker engine started here did not answer", 120, give_up=exited)
        return self

    def stop(self) -> None:
        """Stop the engine if this object started it."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)

    @staticmethod
    def storage_driver() -> str:
        return run(["docker", "info", "--format", "{{.Driver}}"], timeout=30).stdout.strip()


def legacy_build_env() -> dict:
    """The environment for a plain `docker build`: the classic builder where buildx is missing
    (a recent docker CLI refuses to build without it otherwise)."""
    env = dict(os.environ)
    if subprocess.run(["docker", "buildx", "version"], capture_output=True, timeout=30).returncode != 0:
        env["DOCKER_BUILDKIT"] = "0"
    return env


def compose_command() -> list:
    """`docker compose` (v2) where it exists, else `docker-compose`; KATA_COMPOSE="…" chooses."""
    chosen = os.environ.get("KATA_COMPOSE")
    if chosen:
        return shlex.split(chosen)
    if subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    raise DockerUnavailable("neither `docker compose` (Compose v2) nor `docker-compose` is installed "
                            "(Debian: apt-get install docker-compose)")


def copy_working_tree(dest: Path) -> Path:
    """A copy of this checkout as a clone would have it: tracked and untracked files git does not ignore."""
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT, timeout=60)
    for rel in filter(None, listed.stdout.split("\0")):
        source = ROOT / rel
        if source.is_file():  # a tracked file deleted in the working tree is not copied
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return dest


_WHEELHOUSES = {}   # sha256 of requirements.lock → its filled wheelhouse, for the whole test session


def fill_wheelhouse(folder: Path) -> None:
    """`folder/wheelhouse` filled as docker/wheelhouse fills it: run once per lock in a test
    session, then linked (the same files, not copies) into each folder that builds the image, so
    that the container and class server tests pay for the 0.5 GB of wheels once."""
    import atexit
    import hashlib
    import tempfile

    def link(source: Path, target: Path) -> None:
        # Hard links where both lie on one file system, else a copy.
        if run(["cp", "-al", str(source), str(target)], timeout=300, check=False).returncode != 0:
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target)

    key = hashlib.sha256((folder / "requirements.lock").read_bytes()).hexdigest()
    target = folder / "wheelhouse"
    if key in _WHEELHOUSES:
        shutil.rmtree(target, ignore_errors=True)
        link(_WHEELHOUSES[key], target)
        return
    run([sys.executable, folder / "docker" / "wheelhouse"], cwd=folder, timeout=1200)
    keep = Path(tempfile.mkdtemp(prefix="kata-wheelhouse-"))
    atexit.register(shutil.rmtree, keep, ignore_errors=True)
    link(target, keep / "wheels")
    _WHEELHOUSES[key] = keep / "wheels"


def write_env_file(path: Path, values: dict) -> Path:
    path.write_text("".join(f"{key}={value}\n" for key, value in values.items()), encoding="utf-8")
    return path


@dataclass
class Workbench:
    """One compose project: `folder` holds docker-compose.yml and `env` are its variables, written
    to `folder/.env` as a student would, or to `env_file` for a second project on the same folder."""

    folder: Path
    project: str
    compose: list
    env: dict
    env_file: Path = None
    seconds: dict = field(default_factory=dict)   # how long each stage took, for the report

    def __post_init__(self):
        write_env_file(self.env_file or self.folder / ".env", self.env)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.env['KATA_PORT']}"

    @property
    def token(self) -> str:
        return self.env["JUPYTER_TOKEN"]

    def __call__(self, *args, timeout=300, check=True) -> subprocess.CompletedProcess:
        # --env-file goes before the command; Compose v2 and 1.29 both take it there.
        chosen = ["--env-file", str(self.env_file)] if self.env_file else []
        return run([*self.compose, "--project-name", self.project, *chosen, *args],
                   cwd=self.folder, timeout=timeout, check=check)

    def timed(self, stage: str, *args, timeout=300) -> subprocess.CompletedProcess:
        start = time.monotonic()
        done = self(*args, timeout=timeout)
        self.seconds[stage] = time.monotonic() - start
        return done

    def container(self) -> str:
        found = self("ps", "--all", "--quiet", "lab").stdout.split()
        assert len(found) == 1, f"one container of the service lab expected, found {found}"
        return found[0]

    def inspect(self, template: str) -> str:
        return run(["docker", "inspect", "--format", template, self.container()], timeout=30).stdout.strip()

    def logs(self) -> str:
        return self("logs", "--no-color", "lab", check=False).stdout

    def leftovers(self) -> list:
        """Containers of this project, running or not."""
        return run(["docker", "ps", "--all", "--quiet", "--filter",
                    f"label=com.docker.compose.project={self.project}"], timeout=30).stdout.split()

    def stopped(self):
        """Why the container no longer runs, with its log; None while it runs."""
        state = self.inspect("{{.State.Status}}")
        if state in ("exited", "dead"):
            return f"the container {state}:\n{self.logs()[-4000:]}"

    def wait_healthy(self, seconds=240) -> None:
        wait_for(lambda: self.inspect("{{.State.Health.Status}}") == "healthy",
                 "the container did not turn healthy", seconds, give_up=self.stopped)

    def down(self) -> None:
        self("down", "--volumes", "--remove-orphans", timeout=120, check=False)


def dockerfile_instructions(text: str) -> list:
    """[(INSTRUCTION, arguments)] of a Dockerfile: continuations joined, comments dropped.

    `arguments` is a list for the JSON (exec) form, else the raw string.
    """
    instructions, pending = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and not pending):
            continue  # comments (also inside a continuation) and blank lines between instructions
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        if not full:
            continue
        keyword, _, args = full.partition(" ")
        args = args.strip()
        if args.startswith("["):
            try:
                args = json.loads(args)
            except json.JSONDecodeError:
                pass
        instructions.append((keyword.upper(), args))
    if pending:
        raise ValueError(f"Dockerfile ends inside a line continuation: {pending[:80]!r}")
    return instructions


def arguments_of(dockerfile, keyword):
    return [args for kw, args in dockerfile if kw == keyword]


def copied_to(dockerfile) -> dict:
    """{source in the build context: where COPY puts it} for the plain (shell form) COPYs."""
    found = {}
    for args in arguments_of(dockerfile, "COPY"):
        words = args.split()
        if not words[0].startswith("--"):
            for source in words[:-1]:
                found[source] = words[-1]
    return found


def say(request, line: str) -> None:
    """A line on the terminal even while pytest captures the output: the measured figures."""
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)

