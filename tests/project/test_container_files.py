"""The Docker workbench files, read with real parsers (YAML for compose, a small one for the Dockerfile).

No Docker engine is needed: the rules are checked on the parsed files, and the pieces that can run
without Docker (the server command, the dataset verification) are run here for real.
"""

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from kata import lab

yaml = pytest.importorskip("yaml", reason="pyyaml (in the dev extra: pip install -e '.[dev]') parses docker-compose.yml")

ROOT = Path(__file__).resolve().parents[2]
DEBIAN_DATASET = Path("/usr/share/datasets/fashion-mnist")


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


def _all(dockerfile, keyword):
    return [args for kw, args in dockerfile if kw == keyword]


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

def test_the_base_image_is_pinned_to_a_full_version_not_latest(dockerfile):
    bases = _all(dockerfile, "FROM")
    assert bases
    for base in bases:
        image = base.split()[0]
        assert re.fullmatch(r"python:3\.\d+\.\d+-slim-[a-z]+(@sha256:[0-9a-f]{64})?", image), image


def test_the_image_runs_as_a_normal_user(dockerfile):
    users = _all(dockerfile, "USER")
    assert users and users[-1].split(":")[0] not in ("root", "0")
    last_user = max(i for i, (kw, _) in enumerate(dockerfile) if kw == "USER")
    assert last_user < max(i for i, (kw, _) in enumerate(dockerfile) if kw == "CMD")


def test_the_project_is_installed_from_its_own_pyproject_and_nothing_else_is_pip_installed(dockerfile):
    copied = {args.split()[-1] for args in _all(dockerfile, "COPY")
              if isinstance(args, str) and args.split()[-2:-1] == ["."]}
    installs = [cmd[cmd.index("install") + 1:] for cmd in _runs(dockerfile)
                if cmd[:2] in (["pip", "install"], ["pip3", "install"]) or cmd[1:4] == ["-m", "pip", "install"]]
    assert installs, "no pip install in the Dockerfile"
    for targets in installs:
        assert targets and all(t in copied for t in targets if not t.startswith("-")), targets
    assert (ROOT / "pyproject.toml").is_file()


def test_jupyterlab_and_nbgrader_extensions_are_checked_at_build_time(dockerfile):
    text = " ".join(str(a) for _, a in dockerfile)
    assert "labextension list" in text and "@jupyter/nbgrader" in text
    assert "server extension list" in text and "nbgrader.server_extensions" in text


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
    assert args.no_browser


def test_no_token_is_written_into_the_image(dockerfile):
    for keyword in ("ENV", "ARG", "LABEL"):
        for args in _all(dockerfile, keyword):
            assert "TOKEN" not in str(args).upper(), f"{keyword} {args}"
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".env" in ignored and ".git" in ignored


# --- docker-compose.yml ------------------------------------------------------------------------

def _port_mappings(service) -> list:
    """(host_ip, published, target) for each entry, in short or long syntax."""
    found = []
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            found.append((entry.get("host_ip"), str(entry.get("published")), str(entry["target"])))
        else:
            parts = str(entry).split(":")
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


def test_compose_restarts_unless_stopped(service):
    assert service["restart"] == "unless-stopped"


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
