"""The Docker workbench files, read with real parsers (YAML for compose, a small one for the Dockerfile).

No Docker engine is needed: the rules are checked on the parsed files, and the pieces that can run
without Docker (the server command, the dataset verification, the entry point's refusals, the
lock against pyproject.toml) are run here for real. test_container_image.py builds and starts it.
"""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from support.containers import arguments_of as _all, canonical, copied_to as _copied_to, dockerfile_instructions, locked_versions, wheelhouse_script
from kata import lab

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

yaml = pytest.importorskip("yaml", reason="pyyaml (in the dev extra: pip install -e '.[dev]') parses docker-compose.yml")

ROOT = Path(__file__).resolve().parents[2]
DEBIAN_DATASET = Path("/usr/share/datasets/fashion-mnist")


def test_the_dockerfile_parser_joins_continuations_and_reads_the_exec_form():
    parsed = dockerfile_instructions('FROM a:1\n# note\nRUN echo "1;2" \\\n  # inner\n  && echo 2\nCMD ["x", "--y"]\n')
    assert [kw for kw, _ in parsed] == ["FROM", "RUN", "CMD"]
    assert parsed[0][1] == "a:1" and parsed[2][1] == ["x", "--y"]
    assert _shell_commands(parsed[1][1]) == [["echo", "1;2"], ["echo", "2"]]


@pytest.fixture(scope="module")
def dockerfile():
    return dockerfile_instructions((ROOT / "Dockerfile").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def service(compose):
    services = compose["services"]
    assert len(services) == 1, f"one workbench service expected, found {sorted(services)}"
    return next(iter(services.values()))


def _shell_commands(line: str) -> list:
    """A shell line as argument lists, split at unquoted &&, ||, ;, | and &."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands, current = [], []
    for token in lexer:
        if token in ("&&", "||", ";", "|", "&"):
            commands.append(current)
            current = []
        else:
            current.append(token)
    return [c for c in commands + [current] if c]


def _runs(dockerfile) -> list:
    """Every command of every RUN (shell or exec form), as argument lists."""
    commands = []
    for run in _all(dockerfile, "RUN"):
        commands.extend(_shell_commands(run) if isinstance(run, str) else [run])
    return commands


# --- Dockerfile -------------------------------------------------------------------------------

def test_every_stage_starts_from_the_debian_base_that_docker_base_image_makes(dockerfile):
    stages, external = set(), []
    for base in _all(dockerfile, "FROM"):
        words = base.split()
        if words[0] not in stages:
            external.append(words[0])
        if len(words) == 3 and words[1].upper() == "AS":
            stages.add(words[2])
    made = re.search(r"^TAG=(\S+)$", (ROOT / "docker" / "base-image").read_text(encoding="utf-8"), flags=re.M)
    assert external == ["debian:bookworm-slim"] == [made.group(1)], external
    assert os.access(ROOT / "docker" / "base-image", os.X_OK)


def test_the_image_runs_as_a_normal_user(dockerfile):
    users = _all(dockerfile, "USER")
    assert users and users[-1].split(":")[0] not in ("root", "0")
    last_user = max(i for i, (kw, _) in enumerate(dockerfile) if kw == "USER")
    assert last_user < max(i for i, (kw, _) in enumerate(dockerfile) if kw == "CMD")


def test_pip_installs_the_hashed_lock_and_then_the_kata_alone(dockerfile):
    installs = [cmd[cmd.index("install") + 1:] for cmd in _runs(dockerfile)
                if "pip" in Path(cmd[0]).name and "install" in cmd]
    assert len(installs) == 2, installs
    lock, kata = installs
    copied = _copied_to(dockerfile)
    assert "--require-hashes" in lock and "--only-binary=:all:" in lock
    assert lock[lock.index("--requirement") + 1] == copied["requirements.lock"] + "requirements.lock"
    # The project, built offline with the lock's setuptools; its dependencies come from the lock only.
    assert {"--no-deps", "--no-index", "--no-build-isolation"} <= set(kata)
    assert kata[-1].rstrip("/") + "/" == copied["pyproject.toml"]
    # Apart from the environment, so that a new version of the kata is a small layer of its own.
    assert kata[kata.index("--target") + 1] == "/opt/kata"


def test_the_wheelhouse_is_optional_and_stays_in_the_build_stage(dockerfile):
    copied = _copied_to(dockerfile)
    assert "wheelhous[e]" in copied, "COPY … wheelhous[e] …: the bracket lets the build go on without wheelhouse/"
    stages = [i for i, (kw, _) in enumerate(dockerfile) if kw == "FROM"]
    final = stages[-1]
    assert all(not (kw == "COPY" and "wheelhous" in str(args)) for kw, args in dockerfile[final:])
    assert [str(args) for kw, args in dockerfile[final:] if kw == "COPY" and str(args).startswith("--from=")] == [
        "--from=venv /opt/venv /opt/venv", "--from=kata /opt/kata /opt/kata",
        "--from=kata /tmp/kata-course/ /opt/kata-starter/course/"]   # the class server's starter (docs/hub.md)


def _dataset_check_code(dockerfile) -> str:
    for cmd in _runs(dockerfile):
        if cmd[:2] == ["python", "-c"] and "read_data_sets" in cmd[2]:
            return cmd[2]
    pytest.fail("no RUN python -c '…read_data_sets…' verifies the dataset at build time")


def test_the_dataset_is_installed_from_debian_and_verified_at_build_time(dockerfile):
    apt = [cmd for cmd in _runs(dockerfile) if "apt-get" in cmd and "install" in cmd]
    assert any("dataset-fashion-mnist" in cmd for cmd in apt)
    assert str(DEBIAN_DATASET) in _dataset_check_code(dockerfile)


def test_the_build_time_dataset_verification_passes_when_run_here(dockerfile):
    if not (DEBIAN_DATASET / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"Debian's dataset-fashion-mnist is not installed in {DEBIAN_DATASET} (apt-get install dataset-fashion-mnist)")
    done = subprocess.run([sys.executable, "-c", _dataset_check_code(dockerfile)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "55000 5000 10000" in done.stdout


def test_there_is_a_healthcheck_on_the_unauthenticated_api_endpoint(dockerfile):
    checks = _all(dockerfile, "HEALTHCHECK")
    assert len(checks) == 1 and checks[0].split()[0] != "NONE"
    assert "http://127.0.0.1:8888/api'" in checks[0]


def test_the_server_port_is_exposed(dockerfile):
    assert [a.split()[0] for a in _all(dockerfile, "EXPOSE")] == ["8888"]


def test_the_image_runs_kata_lab_which_refuses_to_start_without_a_token(dockerfile, monkeypatch):
    from kata.cli import parser

    command = _all(dockerfile, "CMD")[-1]
    assert isinstance(command, list) and command[:2] == ["kata", "lab"], command
    args = parser().parse_args(command[1:])
    monkeypatch.setenv("KATA_LANG", "en")
    with pytest.raises(lab.LabError, match="JUPYTER_TOKEN"):
        lab.settings(ROOT, ip=args.ip, port=args.port, environ={})
    chosen = lab.settings(ROOT, ip=args.ip, port=args.port, environ={"JUPYTER_TOKEN": "t" * 32})
    assert (chosen.ip, chosen.port, chosen.open_browser) == ("0.0.0.0", 8888, True)
    assert args.no_browser and args.verbose     # Jupyter's log in `docker compose logs`, not in a file


def test_no_token_is_written_into_the_image(dockerfile):
    for keyword in ("ENV", "ARG", "LABEL"):
        for args in _all(dockerfile, keyword):
            assert "TOKEN" not in str(args).upper(), f"{keyword} {args}"


def _dockerignore() -> list:
    return [line.strip() for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def test_the_build_context_leaves_everything_out_but_what_the_image_copies(dockerfile):
    patterns = _dockerignore()
    assert patterns[0] == "*", "the .dockerignore must start by leaving everything out"
    let_in = {p[1:] for p in patterns if p.startswith("!")}
    copied = set(_copied_to(dockerfile)) - {"wheelhous[e]"}
    assert let_in == copied | {"wheelhouse/*.whl"}
    assert not any(p.startswith((".env", ".git")) for p in let_in)


# --- the entry point -----------------------------------------------------------------------------

def _entrypoint(tmp_path, uid, lang="en", mounted=True):
    """docker/entrypoint run here with `id` answering `uid`, in a folder like the mounted one."""
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    (fake / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (fake / "id").chmod(0o755)
    work = tmp_path / "kata"
    (work / "kata").mkdir(parents=True, exist_ok=True)
    if mounted:
        (work / "kata" / "steps.toml").write_text("")
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}", "KATA_LANG": lang}
    return subprocess.run(["sh", str(ROOT / "docker" / "entrypoint"), "echo", "started"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=30)


def test_the_entry_point_refuses_root_once_with_what_to_do_instead(tmp_path):
    done = _entrypoint(tmp_path, 0)
    assert done.returncode == 78 and done.stdout == ""
    assert "KATA_UID=0" in done.stderr and "chown -R 1000:1000" in done.stderr and "id -u" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    spanish = _entrypoint(tmp_path, 0, lang="es")
    assert "no se ejecuta como root" in spanish.stderr


def test_the_entry_point_refuses_an_empty_mount_and_runs_the_command_otherwise(tmp_path):
    empty = _entrypoint(tmp_path, 1000, mounted=False)
    assert empty.returncode == 78 and "is empty: mount your copy" in empty.stderr
    ready = _entrypoint(tmp_path, 1000)
    assert ready.returncode == 0 and ready.stdout == "started\n"


def test_the_image_runs_tini_then_the_entry_point(dockerfile):
    assert _all(dockerfile, "ENTRYPOINT")[-1] == ["tini", "--", "kata-entrypoint"]
    assert _copied_to(dockerfile)["docker/entrypoint"] == "/usr/local/bin/kata-entrypoint"
    assert os.access(ROOT / "docker" / "entrypoint", os.X_OK)


# --- requirements.lock ---------------------------------------------------------------------------

def test_the_lock_says_how_to_regenerate_it_and_hashes_every_pin():
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    assert text.splitlines()[1].strip("# ") == "docker/lock"
    assert os.access(ROOT / "docker" / "lock", os.X_OK)
    entries = re.findall(r"^(\S+?)(==\S+)? ?(;[^\\]*)?\\\n((?:    --hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)", text, flags=re.M)
    names = re.findall(r"^[A-Za-z0-9]", text, flags=re.M)
    assert len(entries) == len(names) > 100
    assert all(version for _, version, _, _ in entries), "every entry is pinned with =="


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_the_lock_satisfies_every_dependency_of_pyproject(arch):
    try:
        from packaging.requirements import Requirement
    except ImportError:
        from pip._vendor.packaging.requirements import Requirement

    locked = locked_versions(ROOT, arch)
    environment = wheelhouse_script().image_environment(arch)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    # On x86_64 the image takes TensorFlow's CPU-only build, the same release under another name.
    provided = {"tensorflow": "tensorflow-cpu"} if arch == "x86_64" else {}
    for line in project["dependencies"]:
        wanted = Requirement(line)
        if wanted.marker and not wanted.marker.evaluate(environment):
            continue
        name = canonical(provided.get(wanted.name, wanted.name))
        assert name in locked and wanted.specifier.contains(locked[name], prereleases=True), (
            f"requirements.lock pins {name} {locked.get(name, '(nothing)')}, outside pyproject.toml's "
            f"'{line}': regenerate it with docker/lock")
    assert ("tensorflow-cpu" in locked) == (arch == "x86_64") and ("tensorflow" in locked) == (arch != "x86_64")


def test_the_cpu_build_of_tensorflow_takes_pyprojects_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = next(line for line in project["dependencies"] if re.match(r"tensorflow\b", line))
    version_range = wanted.removeprefix("tensorflow").split(";")[0].strip()
    for rel, name in (("docker/requirements.in", "tensorflow-cpu"), ("docker/requirements-overrides.txt", "tensorflow")):
        lines = [line for line in (ROOT / rel).read_text(encoding="utf-8").splitlines() if line.startswith(name)]
        assert [line.removeprefix(name).split(";")[0].strip() for line in lines] == [version_range], (
            f"{rel}: {name} must take pyproject.toml's range {version_range}")


# --- docker-compose.yml ------------------------------------------------------------------------

def _with_defaults(value: str) -> str:
    """A compose value with each ${VAR:-default} replaced by its default, as with an empty .env."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def _port_mappings(service) -> list:
    """(host_ip, published, target) for each entry, in short or long syntax."""
    found = []
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            found.append((entry.get("host_ip"), str(entry.get("published")), str(entry["target"])))
        else:
            parts = _with_defaults(str(entry)).split(":")
            assert len(parts) == 3, f"port {entry!r} does not name the host address: write 127.0.0.1:8888:8888"
            found.append(tuple(parts))
    return found


def test_compose_builds_this_folder_with_this_dockerfile(service):
    build = service["build"]
    assert (ROOT / build["context"]).resolve() == ROOT
    assert build.get("dockerfile", "Dockerfile") == "Dockerfile"


def test_compose_publishes_the_port_on_127_0_0_1_only(service):
    assert _port_mappings(service) == [("127.0.0.1", "8888", "8888")]
    assert service.get("network_mode") != "host"


def test_compose_requires_the_token_from_the_environment_and_holds_no_literal_one(service):
    env = service["environment"]
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    assert re.fullmatch(r"\$\{JUPYTER_TOKEN:\?[^}]+\}", env["JUPYTER_TOKEN"]), env["JUPYTER_TOKEN"]
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert not re.search(r"token=[^<\s]", text, flags=re.I), "a literal token in docker-compose.yml"
    assert all(str(v).startswith("${") for k, v in env.items() if "TOKEN" in k.upper())
    assert "command" not in service, "the image's CMD (kata lab) is what checks the token"


def test_compose_mounts_the_working_copy_where_the_image_works(service, dockerfile):
    workdir = _all(dockerfile, "WORKDIR")[-1]
    mounts = []
    for volume in service["volumes"]:
        if isinstance(volume, dict):
            mounts.append((volume["source"], volume["target"]))
        else:
            source, target = volume.split(":")[:2]
            mounts.append((source, target))
    assert any((ROOT / source).resolve() == ROOT and target == workdir for source, target in mounts), mounts


def test_compose_never_restarts_it_so_that_a_start_up_error_is_said_once(service):
    assert service["restart"] == "no"


def test_compose_runs_it_as_the_uid_of_env_without_privileges(service):
    assert service["user"] == "${KATA_UID:-1000}:${KATA_GID:-1000}"
    assert service["cap_drop"] == ["ALL"] and service["security_opt"] == ["no-new-privileges:true"]


def test_compose_file_works_with_compose_1_29_too(compose):
    assert "name" not in compose, "Compose 1.29 (Debian's docker-compose) rejects a top-level name"
    assert "version" not in compose, "the Compose Specification has no version; v2 warns about it"


def test_the_image_tag_carries_the_kata_version(service):
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert service["image"] == f"cnn-kata-lab:{version}"


def test_compose_declares_no_fixed_subnets_or_ipv6_networks(compose, service):
    for name, network in (compose.get("networks") or {}).items():
        network = network or {}
        assert not network.get("enable_ipv6"), name
        assert not (network.get("ipam") or {}).get("config"), f"network {name} fixes a subnet"
    assert not any(key in json.dumps(service) for key in ("ipv4_address", "ipv6_address"))


def test_env_example_leaves_the_token_empty_and_says_how_to_make_one():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    values = dict(line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    assert values["JUPYTER_TOKEN"] == ""
    assert "secrets.token_hex" in text
    assert values["KATA_UID"] != "0" and values["KATA_PORT"] == "8888"
    assert set(values) == {"JUPYTER_TOKEN", "KATA_UID", "KATA_GID", "KATA_PORT", "KATA_LANG"}
