"""The class server's files, read without Docker: its settings, rules and texts (hub/cnn_kata_hub),
its compose file, image and locks, and the students' image's part in it (the starter).

The hub's own package is imported from hub/ as the hub image holds it; the modules tested here
import nothing of JupyterHub's. test_hub.py starts the hub for real.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jwt
import pytest
from tornado import web
from traitlets.config import Config

from support.containers import locked_versions, wheelhouse_script
from support.containers import copied_to as _copied_to, dockerfile_instructions

yaml = pytest.importorskip("yaml", reason="pyyaml (in the dev extra: pip install -e '.[dev]') parses docker-compose.yml")

ROOT = Path(__file__).resolve().parents[2]
HUB = ROOT / "hub"
sys.path.insert(0, str(HUB))

from cnn_kata_hub import config, failures, refusals, roles, settings  # noqa: E402
from cnn_kata_hub.pages import Message  # noqa: E402

LTI_ENV = {"HUB_LTI_ISSUER": "https://moodle.example.edu", "HUB_LTI_CLIENT_ID": "Abc123, Def456",
           "HUB_LTI_AUTHORIZE_URL": "https://moodle.example.edu/mod/lti/auth.php",
           "HUB_LTI_JWKS_URL": "https://moodle.example.edu/mod/lti/certs.php"}


# --- settings: hub/.env read, and every mistake named ----------------------------------------------

def test_lti_settings_read_from_the_environment_with_the_documented_defaults():
    chosen = settings.read(LTI_ENV)
    assert chosen.auth == "lti" and chosen.lti.client_ids == ("Abc123", "Def456")
    assert (chosen.name, chosen.mem_limit, chosen.cpu_limit, chosen.cull_timeout, chosen.cull_every) == (
        "cnn-kata-hub", "2G", 1.0, 3600, 300)
    assert chosen.student_image == "cnn-kata-lab:0.2.0" and chosen.language == "es" and chosen.max_servers == 0
    assert chosen.network == "cnn-kata-hub-students" and chosen.mem_bytes == 2 * 2**30
    assert settings.read({**LTI_ENV, "HUB_CULL_TIMEOUT": "20"}).cull_every == 10


BAD_SETTINGS = {
    "HUB_AUTH": ("ldap", "write lti (Moodle, Canvas) or classlist"),
    "HUB_LTI_CLIENT_ID": ("", "copy the Client ID"),
    "HUB_LTI_ISSUER": ("moodle.example.edu", "is not a web address"),
    "HUB_LTI_JWKS_URL": ("", "HUB_LTI_JWKS_URL is empty"),
    "HUB_MEM_LIMIT": ("2 gigas", "write it like 2G or 1536M"),
    "HUB_CPU_LIMIT": ("all", "number of cores above 0"),
    "HUB_CULL_TIMEOUT": ("5", "at least 10"),
    "HUB_NAME": ("My Course", "lower-case letters"),
    "HUB_LANG": ("fr", "write es or en"),
    "HUB_PUBLIC_URL": ("https://uni.example.edu/hub", "root of its address"),
    "HUB_ADMINS": ("ana garcia", "not a username the hub accepts"),
}


@pytest.mark.parametrize("variable", BAD_SETTINGS)
def test_a_bad_setting_is_refused_naming_the_variable_and_what_to_write(variable):
    value, advice = BAD_SETTINGS[variable]
    with pytest.raises(settings.SettingsError) as refused:
        settings.read({**LTI_ENV, variable: value})
    assert variable in str(refused.value) and advice in str(refused.value)


def test_a_memory_limit_too_small_for_tensorflow_is_refused():
    with pytest.raises(settings.SettingsError, match="too little for TensorFlow"):
        settings.read({**LTI_ENV, "HUB_MEM_LIMIT": "512M"})
    assert settings.read({**LTI_ENV, "HUB_MEM_LIMIT": "1536m"}).mem_bytes == 1536 * 2**20


def test_the_class_list_skips_comments_and_repeats_and_names_a_bad_line(tmp_path):
    listed = tmp_path / "class-list.txt"
    listed.write_text("# IA-101\nAna.Garcia\n\nluis.martin  # delegado\nana.garcia\n", encoding="utf-8")
    chosen = settings.read({"HUB_AUTH": "classlist", "HUB_CLASS_LIST": str(listed), "HUB_ADMINS": "profe"})
    assert chosen.class_list == ("ana.garcia", "luis.martin") and chosen.admins == {"profe"} and chosen.lti is None
    listed.write_text("ana.garcia\nLuis Martín\n", encoding="utf-8")
    with pytest.raises(settings.SettingsError, match=r"class-list.txt, line 2: 'Luis Martín'"):
        settings.read({"HUB_AUTH": "classlist", "HUB_CLASS_LIST": str(listed)})
    with pytest.raises(settings.SettingsError, match="copy hub/class/class-list.example.txt"):
        settings.read({"HUB_AUTH": "classlist", "HUB_CLASS_LIST": str(tmp_path / "missing.txt")})


def test_the_example_class_list_reads_as_a_class_list():
    assert settings.read_class_list(HUB / "class" / "class-list.example.txt")


# --- the configuration JupyterHub gets -----------------------------------------------------------------

def _configured(**env) -> Config:
    c = Config()
    config.configure(c, settings.read({**LTI_ENV, **env}))
    return c


def test_lti_login_takes_the_lms_id_as_username_and_lets_in_whoever_the_lms_signs_in():
    c = _configured(HUB_ADMINS="profe")
    assert c.JupyterHub.authenticator_class == "cnn_kata_hub.lti.KataLTI13Authenticator"
    assert c.LTI13Authenticator.username_key == "sub"
    assert c.LTI13Authenticator.client_id == ["Abc123", "Def456"]
    assert c.LTI13Authenticator.jwks_endpoint == LTI_ENV["HUB_LTI_JWKS_URL"]
    assert c.Authenticator.allow_all is True and c.Authenticator.admin_users == {"profe"}


def test_each_student_gets_the_kata_image_with_limits_a_volume_and_the_students_network():
    c = _configured(HUB_NAME="ia101", HUB_MEM_LIMIT="3G", HUB_CPU_LIMIT="0.5")
    spawner = c.DockerSpawner
    assert c.JupyterHub.spawner_class == "cnn_kata_hub.spawner.KataDockerSpawner"
    assert (spawner.image, spawner.pull_policy, spawner.remove) == ("cnn-kata-lab:0.2.0", "never", True)
    assert (spawner.mem_limit, spawner.cpu_limit) == ("3G", 0.5)
    assert spawner.volumes == {"ia101-work-{username}": "/home/student/kata"}
    assert spawner.network_name == "ia101-students" and spawner.prefix == "ia101"
    assert spawner.cmd == ["jupyterhub-singleuser"]
    assert spawner.extra_host_config["cap_drop"] == ["ALL"]
    # A container that dies while starting stays until the hub has read why, then goes (remove=True).
    assert spawner.extra_host_config["auto_remove"] is False
    assert c.Spawner.environment["KATA_STARTER"] == "/opt/kata-starter"
    assert c.Spawner.default_url == "/lab/tree/notebooks/01_tensorflow.ipynb"


def test_a_spanish_class_gets_the_same_spanish_lab_settings_as_kata_lab_and_an_english_one_none():
    from kata import lab

    spanish = [a for a in _configured().Spawner.args if a.startswith("--LabApp.app_settings_dir=")]
    in_image = lab.language_args("es")[0].replace(str(ROOT), "/opt/kata")   # the image holds the kata at /opt/kata
    assert spanish == [in_image]
    assert not [a for a in _configured(HUB_LANG="en").Spawner.args if "app_settings_dir" in a]


def test_the_culler_is_a_hub_service_with_only_the_scopes_it_needs():
    c = _configured(HUB_CULL_TIMEOUT="900", HUB_CULL_EVERY="60")
    [service] = [s for s in c.JupyterHub.services if s["name"] == "idle-culler"]
    assert service["command"][1:] == ["-m", "jupyterhub_idle_culler", "--timeout=900", "--cull-every=60"]
    [role] = [r for r in c.JupyterHub.load_roles if "idle-culler" in r.get("services", [])]
    assert role["services"] == ["idle-culler"]
    assert sorted(role["scopes"]) == ["delete:servers", "list:users", "read:servers", "read:users:activity"]


def test_the_hubs_state_lives_on_its_volume():
    c = _configured()
    assert c.JupyterHub.db_url == "sqlite:////srv/jupyterhub/jupyterhub.sqlite"
    assert c.JupyterHub.cookie_secret_file.startswith("/srv/jupyterhub/")
    assert c.JupyterHub.cleanup_servers is True


def test_cross_site_cookies_come_only_with_https():
    assert "cookie_options" not in c_keys(_configured())
    secure = _configured(HUB_PUBLIC_URL="https://hub.uni.example.edu")
    assert secure.JupyterHub.cookie_options == {"SameSite": "None", "Secure": True}
    assert secure.LTI13Authenticator.uri_scheme == "https"
    assert secure.JupyterHub.public_url == "https://hub.uni.example.edu/"


def c_keys(c: Config) -> set:
    return set(c.JupyterHub.keys())


def test_the_class_list_lets_in_only_its_names_with_passwords_kept_on_the_hubs_volume(tmp_path):
    listed = tmp_path / "class-list.txt"
    listed.write_text("ana.garcia\nluis.martin\n", encoding="utf-8")
    c = Config()
    config.configure(c, settings.read({"HUB_AUTH": "classlist", "HUB_CLASS_LIST": str(listed)}))
    assert c.JupyterHub.authenticator_class == "firstuseauthenticator.FirstUseAuthenticator"
    assert c.Authenticator.allowed_users == {"ana.garcia", "luis.martin"}
    assert c.Authenticator.allow_existing_users is False and c.FirstUseAuthenticator.create_users is False
    assert c.FirstUseAuthenticator.dbm_path.startswith("/srv/jupyterhub/")


# --- who teaches ----------------------------------------------------------------------------------------

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"


@pytest.mark.parametrize("role, teaches", [
    (f"{MEMBERSHIP}#Instructor", True),
    (f"{MEMBERSHIP}#Administrator", True),
    (f"{MEMBERSHIP}/Instructor#TeachingAssistant", True),
    ("Instructor", True),
    (f"{MEMBERSHIP}#Learner", False),
    ("http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor", False),
    ("http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator", False),
])
def test_the_courses_instructors_are_admins_and_an_institution_role_alone_is_not(role, teaches):
    assert roles.teaches(roles.of_launch({roles.ROLES_CLAIM: [f"{MEMBERSHIP}#Learner", role]})) is teaches


def test_the_display_name_comes_from_the_names_the_lms_shares():
    assert roles.display_name({"name": " Ana García "}) == "Ana García"
    assert roles.display_name({"given_name": "Ana", "family_name": "García"}) == "Ana García"
    assert roles.display_name({"sub": "17"}) == ""


# --- refused launches -------------------------------------------------------------------------------------

class TokenError(Exception):
    """Stands for ltiauthenticator's exception of that name."""


def _as_ltiauthenticator_raises(inner: Exception, status=400) -> web.HTTPError:
    """inner → TokenError → HTTPError, chained as jupyterhub-ltiauthenticator chains them."""
    try:
        try:
            try:
                raise inner
            except Exception as error:
                raise TokenError(str(error))
        except TokenError as error:
            raise web.HTTPError(status, str(error))
    except web.HTTPError as raised:
        return raised


@pytest.mark.parametrize("inner, reason", [
    (jwt.InvalidIssuerError("Invalid issuer"), "issuer"),
    (jwt.InvalidAudienceError("Audience doesn't match"), "client_id"),
    (jwt.ExpiredSignatureError("Signature has expired"), "expired"),
    (jwt.InvalidSignatureError("Signature verification failed"), "signature"),
    (jwt.PyJWKClientError('Unable to find a signing key that matches: "x"'), "signature"),
    (jwt.PyJWKClientConnectionError("Fail to fetch data from the url"), "jwks"),
    (jwt.DecodeError("Not enough segments"), "signature"),
])
def test_each_failed_check_of_the_id_token_is_named(inner, reason):
    refusal = refusals.explain(_as_ltiauthenticator_raises(inner))
    assert refusal.reason == reason and str(inner) in refusal.detail


@pytest.mark.parametrize("words, stage, reason", [
    ("OAuth nonce mismatch", "callback", "nonce"),
    ("OAuth state missing from cookies", "callback", "nonce"),
    ("id_token issued too long ago.", "callback", "expired"),
    ("Required LTI 1.3 arg iss not in request", "login", "not_from_lms"),
    ("Required LTI 1.3 arg https://purl.imsglobal.org/spec/lti/claim/roles not in request", "callback", "claims"),
    ("something nobody foresaw", "callback", "claims"),
])
def test_ltiauthenticators_own_refusals_are_named_by_their_words(words, stage, reason):
    assert refusals.explain(web.HTTPError(400, words), stage=stage).reason == reason


def test_every_refusal_speaks_both_languages_without_jargon_or_a_traceback():
    for reason, (status, message) in refusals.REFUSALS.items():
        assert 400 <= status < 600
        assert message.es.startswith(("No se ha podido entrar", "Esta dirección")), reason
        assert message.en.startswith(("Could not sign you in", "This address")), reason
        for text in (message.es, message.en):
            assert "Traceback" not in text and "JWT" not in text and "Error" not in text
        assert '<span lang="es">' in message.html and "<em>" in message.html


def test_a_message_is_escaped_in_its_html():
    page = Message("<b>1 < 2</b>", "a & b").html
    assert "<b>" not in page and "&lt;b&gt;1 &lt; 2" in page and "a &amp; b" in page


# --- servers that cannot start ---------------------------------------------------------------------------

def test_a_server_killed_for_memory_while_starting_says_so_and_tells_the_admin_what_to_raise():
    failure = failures.stopped_while_starting({"OOMKilled": True, "ExitCode": 137}, "line 1\nline 2\n", 2 * 2**30)
    assert isinstance(failure, web.HTTPError)
    assert "sin memoria" in failure.jupyterhub_message and "2 GiB" in failure.jupyterhub_message
    assert "ran out of memory" in failure.jupyterhub_message
    assert "HUB_MEM_LIMIT" in failure.reason_for_admin and "line 2" in failure.reason_for_admin
    assert "HUB_MEM_LIMIT" in str(failure)     # what JupyterHub's log line shows


def test_a_server_that_exits_while_starting_gives_the_admin_its_status_and_last_lines():
    failure = failures.stopped_while_starting({"OOMKilled": False, "ExitCode": 78}, "cnn-kata: empty\n", 2**31)
    assert "se ha parado al arrancar" in failure.jupyterhub_message
    assert "status 78" in failure.reason_for_admin and "cnn-kata: empty" in failure.reason_for_admin


def test_a_missing_image_names_the_image_and_the_setting_to_fix_for_the_admin_only():
    failure = failures.image_missing("cnn-kata-lab:9.9")
    assert "cnn-kata-lab:9.9" in failure.reason_for_admin and "HUB_STUDENT_IMAGE" in failure.reason_for_admin
    assert "cnn-kata-lab" not in failure.jupyterhub_message and "Tus ficheros están a salvo" in failure.jupyterhub_message


# --- the compose file, the images, the locks ------------------------------------------------------------

@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((HUB / "docker-compose.yml").read_text(encoding="utf-8"))


def _defaults(value: str) -> str:
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))


def test_only_the_hub_publishes_a_port_and_only_on_loopback(compose):
    hub = compose["services"]["hub"]
    assert [_defaults(port) for port in hub["ports"]] == ["127.0.0.1:8000:8000"]
    assert [name for name, service in compose["services"].items() if service.get("ports")] == ["hub"]


def test_the_docker_socket_is_mounted_into_the_hub_alone(compose):
    mounts = {name: [v["source"] if isinstance(v, dict) else v.split(":")[0] for v in service.get("volumes", [])]
              for name, service in compose["services"].items()}
    assert "/var/run/docker.sock" in mounts["hub"]
    assert [name for name, sources in mounts.items() if "/var/run/docker.sock" in sources] == ["hub"]
    data = next(v for v in compose["services"]["hub"]["volumes"] if isinstance(v, dict) and v["source"] == "hub-data")
    assert data["target"] == config.DATA and "hub-data" in compose["volumes"]


def test_the_students_network_is_internal_and_named_as_the_hub_names_it(compose):
    network = compose["networks"]["students"]
    assert network["internal"] is True
    assert _defaults(network["name"]) == settings.Settings().network
    assert set(compose["services"]["hub"]["networks"]) == {"default", "students"}


def test_compose_passes_the_hub_every_setting_of_env_example_and_nothing_else(compose):
    example = {line.split("=", 1)[0] for line in (HUB / ".env.example").read_text(encoding="utf-8").splitlines()
               if line and not line.startswith("#")}
    passed = set(compose["services"]["hub"]["environment"])
    assert passed == example - {"HUB_PORT"}
    read_by_settings = set(re.findall(r'"(HUB_[A-Z_]+)"', (HUB / "cnn_kata_hub" / "settings.py").read_text(encoding="utf-8")))
    assert passed <= read_by_settings


def test_one_command_builds_the_students_image_from_the_katas_own_dockerfile(compose):
    students = compose["services"]["student-image"]
    assert (HUB / students["build"]["context"]).resolve() == ROOT
    assert students["build"].get("dockerfile", "Dockerfile") == "Dockerfile"
    root_compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert _defaults(students["image"]) == root_compose["services"]["lab"]["image"] == settings.DEFAULT_IMAGE
    assert students["entrypoint"] == ["true"] and students["network_mode"] == "none"


def test_the_hub_compose_file_works_with_compose_1_29_too(compose):
    assert "name" not in compose and "version" not in compose
    assert compose["services"]["hub"]["restart"] == "unless-stopped"


def test_the_hub_image_is_made_like_the_students_from_debian_a_wheelhouse_and_a_hashed_lock():
    parsed = dockerfile_instructions((HUB / "Dockerfile").read_text(encoding="utf-8"))
    stages = {args.split()[2] for kw, args in parsed if kw == "FROM" and " AS " in f" {args.upper()} "}
    assert {args.split()[0] for kw, args in parsed if kw == "FROM"} - stages == {"debian:bookworm-slim"}
    installs = [args for kw, args in parsed if kw == "RUN" and "pip install" in args]
    assert len(installs) == 1 and "--require-hashes" in installs[0] and "--only-binary=:all:" in installs[0]
    ignored = [line.strip() for line in (HUB / ".dockerignore").read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.startswith("#")]
    assert ignored[0] == "*"
    let_in = {p[1:] for p in ignored if p.startswith("!")}
    copied = set(_copied_to(parsed)) - {"wheelhous[e]"}
    assert let_in == copied - {"proxy"} | {"wheelhouse/*.whl", "proxy/package.json", "proxy/package-lock.json",
                                          "proxy/node_modules"}


def test_the_hub_lock_says_how_to_regenerate_it_and_hashes_every_pin():
    text = (HUB / "requirements.lock").read_text(encoding="utf-8")
    assert text.splitlines()[1].strip("# ") == "hub/lock"
    assert os.access(HUB / "lock", os.X_OK) and os.access(HUB / "packages", os.X_OK)
    environment = wheelhouse_script().image_environment("x86_64")
    assert wheelhouse_script().requirements_for(text, environment)   # raises on a pin without a hash


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_the_hub_and_its_students_run_the_same_jupyterhub_release(arch):
    hub = locked_versions(HUB, arch)
    students = locked_versions(ROOT, arch)
    assert hub["jupyterhub"] == students["jupyterhub"], (
        "hub/requirements.lock and requirements.lock pin different jupyterhub releases: change both "
        "hub/requirements.in and docker/requirements.in, then run hub/lock and docker/lock")


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_the_hub_lock_satisfies_every_requirement_of_requirements_in(arch):
    try:
        from packaging.requirements import Requirement
    except ImportError:
        from pip._vendor.packaging.requirements import Requirement
    locked = locked_versions(HUB, arch)
    for line in (HUB / "requirements.in").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            wanted = Requirement(line)
            assert wanted.name in locked and wanted.specifier.contains(locked[wanted.name]), (
                f"hub/requirements.lock pins {wanted.name} {locked.get(wanted.name)}, outside '{line}': run hub/lock")


def test_the_proxy_is_pinned_with_an_integrity_hash_for_every_package_and_runs_on_debians_node():
    lock = json.loads((HUB / "proxy" / "package-lock.json").read_text(encoding="utf-8"))
    wanted = json.loads((HUB / "proxy" / "package.json").read_text(encoding="utf-8"))["dependencies"]
    packages = {path: entry for path, entry in lock["packages"].items() if path}
    proxy = packages["node_modules/configurable-http-proxy"]
    assert proxy["version"] == wanted["configurable-http-proxy"]
    assert all(entry.get("integrity", "").startswith("sha512-") for entry in packages.values())
    # Debian bookworm's nodejs is 18: the proxy must not ask for more.
    assert re.fullmatch(r">=\s*(1[0-8]|[0-9])(\.\d+)*", proxy["engines"]["node"]), proxy["engines"]


# --- the students' image on the class server: its starter ---------------------------------------------

def _entrypoint(work: Path, starter: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    (fake / "id").write_text("#!/bin/sh\necho 1000\n")
    (fake / "id").chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}", "KATA_LANG": "en", "KATA_STARTER": str(starter)}
    return subprocess.run(["sh", str(ROOT / "docker" / "entrypoint"), "echo", "started"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=30)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_starter_fills_an_empty_volume_then_refreshes_the_katas_files_and_never_the_students(tmp_path):
    starter, work = tmp_path / "starter", tmp_path / "work"
    work.mkdir()
    _write(starter / "course" / "kata" / "steps.toml", "version 1")
    _write(starter / "course" / "tests" / "steps" / "test_data.py", "tests 1")
    _write(starter / "work" / "exercises" / "data.py", "stub")
    _write(starter / "work" / "notebooks" / "01.ipynb", "notebook 1")
    done = _entrypoint(work, starter, tmp_path)
    assert done.returncode == 0 and done.stdout == "started\n", done.stderr
    assert (work / "exercises" / "data.py").read_text() == "stub" and (work / "kata" / "steps.toml").is_file()

    (work / "exercises" / "data.py").write_text("the student's answer")
    (work / "notebooks" / "01.ipynb").write_text("the student's outputs")
    (work / "notes.md").write_text("mine")
    _write(starter / "course" / "kata" / "steps.toml", "version 2")      # a new image
    _write(starter / "work" / "notebooks" / "02.ipynb", "notebook 2")
    _write(starter / "work" / "exercises" / "data.py", "a better stub")
    assert _entrypoint(work, starter, tmp_path).returncode == 0
    assert (work / "kata" / "steps.toml").read_text() == "version 2"
    assert (work / "exercises" / "data.py").read_text() == "the student's answer"
    assert (work / "notebooks" / "01.ipynb").read_text() == "the student's outputs"
    assert (work / "notebooks" / "02.ipynb").read_text() == "notebook 2" and (work / "notes.md").read_text() == "mine"


def test_the_starter_holds_the_students_files_and_no_answers():
    parsed = dockerfile_instructions((ROOT / "Dockerfile").read_text(encoding="utf-8"))
    copied = _copied_to(parsed)
    starter = {source for source, target in copied.items() if target.startswith("/opt/kata-starter/")}
    assert starter == {"exercises", "notebooks", "tests/steps", "conftest.py"}
    # The kata itself comes as the image installs it: the kata stage's clean copy of what it copied.
    assert ("COPY", "--from=kata /tmp/kata-course/ /opt/kata-starter/course/") in parsed
    kata_stage = {source for source, target in copied.items() if target.startswith("/tmp/cnn-kata/")}
    assert {"kata", "input_data.py", "pyproject.toml", "README.md"} <= kata_stage
    assert ("RUN", "cp -a /tmp/cnn-kata /tmp/kata-course") in parsed
    assert config.STARTER == "/opt/kata-starter"


def test_every_hub_setting_is_documented_in_docs_hub_md():
    documented = (ROOT / "docs" / "hub.md").read_text(encoding="utf-8")
    example = [line.split("=", 1)[0] for line in (HUB / ".env.example").read_text(encoding="utf-8").splitlines()
               if line and not line.startswith("#")]
    assert [name for name in example if name not in documented] == []
