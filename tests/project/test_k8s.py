"""The class server on Kubernetes (hub/k8s/), checked without a cluster.

hub/k8s/values.yaml is read as Zero to JupyterHub's chart reads it: `hub.extraEnv` becomes the hub's
environment and each `hub.extraConfig` snippet is executed with JupyterHub's config object `c`,
after the chart has set its own services and roles lists (empty with these values: the chart's
culler is off). The configuration that results then builds, with the real `jupyterhub-kubespawner`
(the release the hub image carries), the pod and the claim of two students; the Kubernetes API
client is a mock that is never called: building a manifest needs no cluster.

The chart's own templates (network policies, the hub's Service, the pre-puller) are not rendered
here; the values they read are checked against what the hub's configuration expects.
"""

import asyncio
import sys
from pathlib import Path
from unittest import mock

import pytest

yaml = pytest.importorskip("yaml", reason="pyyaml (in the dev extra: pip install -e '.[dev]')")
pytest.importorskip("kubespawner", reason="jupyterhub-kubespawner (in the dev extra: pip install -e '.[dev]')")

from jupyterhub.objects import Hub, Server  # noqa: E402
from kubespawner import KubeSpawner  # noqa: E402
import kubespawner.spawner  # noqa: E402
from traitlets.config import Config  # noqa: E402

from support.containers import locked_versions  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
HUB = ROOT / "hub"
sys.path.insert(0, str(HUB))

from cnn_kata_hub import config as hub_config  # noqa: E402

STUDENTS = ("3f2a9c1e-7b4d-4e8a-9c1f-0a1b2c3d4e5f", "1042")    # a Canvas-like and a Moodle-like LMS id


@pytest.fixture(scope="module")
def values():
    return yaml.safe_load((HUB / "k8s" / "values.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def configured(values):
    """JupyterHub's config as the chart leaves it after hub.extraConfig, with hub.extraEnv as the environment."""
    environment = {name: str(value) for name, value in values["hub"]["extraEnv"].items()}
    c = Config()
    c.JupyterHub.services = []      # what the chart's jupyterhub_config.py sets before extraConfig
    c.JupyterHub.load_roles = []
    with mock.patch.dict("os.environ", environment):
        for name, snippet in sorted(values["hub"]["extraConfig"].items()):
            exec(compile(snippet, f"hub.extraConfig.{name}", "exec"), {"c": c})
    return c


class Student:
    """What KubeSpawner reads of JupyterHub's user object."""

    def __init__(self, name):
        self.name = self.escaped_name = name
        self.id = abs(hash(name)) % 10**6
        self.url = f"/user/{name}/"
        self.server = Server()
        self.orm_user = None


def _spawner(c, name):
    with mock.patch.object(kubespawner.spawner, "load_config"), \
            mock.patch.object(kubespawner.spawner, "shared_client") as api:
        spawner = KubeSpawner(config=c, user=Student(name), hub=Hub(), _mock=True)
        pod = asyncio.run(spawner.get_pod_manifest())
    assert api.return_value.mock_calls == [], "building the manifest called the Kubernetes API"
    return spawner, pod


@pytest.fixture(scope="module")
def pods(configured):
    return {name: _spawner(configured, name) for name in STUDENTS}


def test_the_chart_runs_the_hub_with_kubespawner_and_the_courses_login(configured, values):
    assert configured.JupyterHub.spawner_class == "kubespawner.KubeSpawner"
    assert configured.JupyterHub.authenticator_class == "cnn_kata_hub.lti.KataLTI13Authenticator"
    assert configured.LTI13Authenticator.issuer == values["hub"]["extraEnv"]["HUB_LTI_ISSUER"]
    assert configured.LTI13Authenticator.username_key == "sub"
    assert configured.JupyterHub.cookie_options == {"SameSite": "None", "Secure": True}   # HUB_PUBLIC_URL is https


def test_each_student_gets_a_pod_of_the_katas_image_with_the_limits(pods, values):
    image = values["hub"]["extraEnv"]["HUB_STUDENT_IMAGE"]
    for name, (spawner, pod) in pods.items():
        [container] = pod.spec.containers
        assert container.image == image and container.image_pull_policy == "IfNotPresent"
        assert container.args[0] == "jupyterhub-singleuser" and container.working_dir == hub_config.WORK
        assert container.resources.limits == {"cpu": 1.0, "memory": 2 * 2**30}
        assert container.resources.requests == {"cpu": 0.1, "memory": 768 * 2**20}
        env = {e.name: e.value for e in container.env}
        assert env["KATA_HANDIN_URL"] == "http://hub:10101/services/handin/" and env["KATA_LANG"] == "es"
        assert env["KATA_ROOT"] == hub_config.WORK and env["JUPYTERHUB_USER"] == name


def test_each_students_pod_runs_as_a_normal_user_without_privileges(pods):
    for spawner, pod in pods.values():
        security = pod.spec.containers[0].security_context
        assert (security["runAsUser"], security["runAsGroup"]) == (1000, 1000)
        assert security["runAsNonRoot"] is True and security["allowPrivilegeEscalation"] is False
        assert security["capabilities"] == {"drop": ["ALL"]} and not security.get("privileged")
        assert security["seccompProfile"] == {"type": "RuntimeDefault"}
        assert pod.spec.security_context["fsGroup"] == 1000
        assert pod.spec.automount_service_account_token is False
        assert not pod.spec.host_network and not pod.spec.init_containers


def test_each_student_has_a_claim_of_their_own_at_the_katas_folder(pods):
    claims = set()
    for name, (spawner, pod) in pods.items():
        [volume] = pod.spec.volumes
        [mount] = pod.spec.containers[0].volume_mounts
        assert mount.mount_path == hub_config.WORK and mount.name == volume.name
        claim = volume.persistent_volume_claim["claimName"]
        assert claim == spawner.pvc_name and claim.startswith("claim-")
        claims.add(claim)
        pvc = spawner.get_pvc_manifest()
        assert pvc.metadata.name == claim and pvc.spec.access_modes == ["ReadWriteOnce"]
        assert pvc.spec.resources.requests == {"storage": "1Gi"}
        assert spawner.storage_pvc_ensure is True
    assert len(claims) == len(STUDENTS)


def test_the_culler_and_the_hand_in_service_run_in_the_hubs_pod_as_on_docker(configured, values):
    services = {service["name"]: service for service in configured.JupyterHub.services}
    assert set(services) == {"idle-culler", "handin"} and values["cull"]["enabled"] is False
    assert services["idle-culler"]["command"][-2:] == ["--timeout=3600", "--cull-every=300"]
    handin = services["handin"]
    assert handin["url"] == "http://hub:10101" and handin["command"][1:] == ["-m", "cnn_kata_hub.handin_service"]
    assert handin["environment"]["HUB_HANDIN_STORE"] == hub_config.HANDIN_STORE
    roles = {role["name"]: role for role in configured.JupyterHub.load_roles}
    assert "access:services!service=handin" in roles["user"]["scopes"]
    assert "access:services!service=handin" in configured.Spawner.server_token_scopes


def test_the_hand_in_store_has_a_claim_of_its_own_mounted_in_the_hubs_pod_only(values):
    claim = yaml.safe_load((HUB / "k8s" / "handins-pvc.yaml").read_text(encoding="utf-8"))
    assert claim["kind"] == "PersistentVolumeClaim" and claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    [volume] = values["hub"]["extraVolumes"]
    [mount] = values["hub"]["extraVolumeMounts"]
    assert volume["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    assert mount == {"name": volume["name"], "mountPath": hub_config.HANDIN_STORE}
    assert "extraVolumes" not in values["singleuser"].get("storage", {})


def test_the_students_pods_reach_the_hand_in_service_and_nothing_outside(values):
    assert {"name": "handin", "port": hub_config.HANDIN_PORT, "targetPort": hub_config.HANDIN_PORT} in \
        values["hub"]["service"]["extraPorts"]
    [ingress] = values["hub"]["networkPolicy"]["ingress"]
    assert ingress["ports"] == [{"port": hub_config.HANDIN_PORT}]
    assert ingress["from"] == [{"podSelector": {"matchLabels": {"hub.jupyter.org/network-access-hub": "true"}}}]
    singleuser = values["singleuser"]["networkPolicy"]
    [egress] = singleuser["egress"]
    assert egress["ports"] == [{"port": hub_config.HANDIN_PORT}]
    assert not any(singleuser["egressAllowRules"][rule] for rule in ("nonPrivateIPs", "privateIPs", "cloudMetadataServer"))
    [proxy] = values["proxy"]["chp"]["networkPolicy"]["egress"]
    assert proxy["ports"] == [{"port": hub_config.HANDIN_PORT}]


def test_the_values_hold_every_setting_of_the_docker_hub_and_the_pre_puller_pulls_the_same_image(values):
    example = {line.split("=", 1)[0] for line in (HUB / ".env.example").read_text(encoding="utf-8").splitlines()
               if line and not line.startswith("#")}
    env = values["hub"]["extraEnv"]
    assert example - {"HUB_NAME", "HUB_PORT"} <= set(env)       # names of Docker objects and a host port: not here
    image = values["singleuser"]["image"]
    assert f"{image['name']}:{image['tag']}" == env["HUB_STUDENT_IMAGE"]
    assert values["singleuser"]["storage"]["type"] == "none"    # the claims are the hub configuration's


def test_the_hub_image_carries_the_kubespawner_these_tests_load():
    from importlib.metadata import version

    from packaging.version import Version

    locked = {arch: locked_versions(HUB, arch) for arch in ("x86_64", "aarch64")}
    for arch, pins in locked.items():
        assert "pycurl" in pins, f"the chart's jupyterhub_config.py needs pycurl ({arch})"
        assert Version(pins["jupyterhub-kubespawner"]).major == Version(version("jupyterhub-kubespawner")).major


@pytest.mark.parametrize("variable, value, words", [
    ("HUB_MEM_GUARANTEE", "3G", "more than HUB_MEM_LIMIT"),
    ("HUB_MEM_GUARANTEE", "lots", "write it like 2G"),
    ("HUB_CPU_GUARANTEE", "0", "above 0"),
    ("HUB_STORAGE_CAPACITY", "1 giga", "Kubernetes quantity"),
])
def test_a_bad_kubernetes_setting_stops_the_hub_naming_it(values, variable, value, words):
    from cnn_kata_hub import kubernetes
    from cnn_kata_hub.settings import SettingsError

    environment = {**{k: str(v) for k, v in values["hub"]["extraEnv"].items()}, variable: value}
    with pytest.raises(SettingsError) as refused:
        kubernetes.configure(Config(), environment)
    assert variable in str(refused.value) and words in str(refused.value)
