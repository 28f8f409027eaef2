"""The class server on Kubernetes: the same course as `config.configure`, with KubeSpawner.

Zero to JupyterHub's chart runs the hub; its `hub.extraConfig` calls `configure(c)` (see
hub/k8s/values.yaml), which reads the same HUB_* settings as hub/.env (the chart passes them in
`hub.extraEnv`) and sets, on top of what the chart set before it:

- the course's hub settings, login (LTI 1.3 or a class list), idle culler and hand-in service,
  by the very functions the Docker hub uses (`config.course`, `config.login`, `config.services`);
- each student's server: a pod of the kata's image (HUB_STUDENT_IMAGE, from a registry the
  cluster can pull), uid and gid 1000, non-root, no privilege escalation, no capabilities, the
  runtime's default seccomp profile, no service account token; memory and CPU limited to
  HUB_MEM_LIMIT and HUB_CPU_LIMIT and guaranteed HUB_MEM_GUARANTEE and HUB_CPU_GUARANTEE (what
  the scheduler counts: docs/hub.md, students per node); one PersistentVolumeClaim per student
  (`claim-<username>`, HUB_STORAGE_CAPACITY, HUB_STORAGE_CLASS) at the kata's folder.

The hand-in service runs in the hub's pod, as on Docker, and keeps its store on a claim of its own
mounted at /srv/handins (hub/k8s/handins-pvc.yaml and the chart's `hub.extraVolumes`).
"""

import os
import re

from cnn_kata_hub import config, settings
from cnn_kata_hub.settings import Settings, SettingsError, parse_size

STUDENT_UID = 1000


def read(environ=os.environ) -> dict:
    """The Kubernetes-only settings: what the scheduler reserves per student, and their storage."""
    guarantee = environ.get("HUB_MEM_GUARANTEE", "").strip() or "768M"
    parse_size(guarantee, "HUB_MEM_GUARANTEE")
    cpu_text = environ.get("HUB_CPU_GUARANTEE", "").strip() or "0.1"
    try:
        cpu = float(cpu_text)
    except ValueError:
        cpu = -1
    if not cpu > 0:
        raise SettingsError(f"HUB_CPU_GUARANTEE={cpu_text!r} must be a number of cores above 0, like 0.1")
    capacity = environ.get("HUB_STORAGE_CAPACITY", "").strip() or "1Gi"
    if not re.fullmatch(r"\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?", capacity):
        raise SettingsError(f"HUB_STORAGE_CAPACITY={capacity!r} is not a Kubernetes quantity: write it like 1Gi")
    return {"mem_guarantee": guarantee, "cpu_guarantee": cpu, "storage_capacity": capacity,
            "storage_class": environ.get("HUB_STORAGE_CLASS", "").strip() or None}


def configure(c, environ=os.environ) -> None:
    """Fill JupyterHub's config `c` for the course on Kubernetes (called from the chart's extraConfig)."""
    chosen = settings.read(environ)
    if chosen.mem_bytes < parse_size(read(environ)["mem_guarantee"], "HUB_MEM_GUARANTEE"):
        raise SettingsError("HUB_MEM_GUARANTEE is more than HUB_MEM_LIMIT: a server cannot be guaranteed more "
                            "than it may use")
    config.course(c, chosen)
    config.services(c, chosen)
    config.login(c, chosen)
    spawner(c, chosen, read(environ))


def spawner(c, s: Settings, kube: dict) -> None:
    c.JupyterHub.spawner_class = "kubespawner.KubeSpawner"
    k = c.KubeSpawner
    k.image = s.student_image
    k.image_pull_policy = "IfNotPresent"
    k.cmd = ["jupyterhub-singleuser"]
    k.working_dir = config.WORK
    k.notebook_dir = config.WORK
    k.environment = config.student_environment(s)
    # As on Docker: the image's normal user, never root, no way to gain privileges.
    k.uid = STUDENT_UID
    k.gid = STUDENT_UID
    k.fs_gid = STUDENT_UID           # the claim's files are the student's group's
    k.privileged = False
    k.allow_privilege_escalation = False
    k.container_security_context = {"runAsNonRoot": True, "capabilities": {"drop": ["ALL"]},
                                    "seccompProfile": {"type": "RuntimeDefault"}}
    k.automount_service_account_token = False
    k.mem_limit = s.mem_limit
    k.mem_guarantee = kube["mem_guarantee"]
    k.cpu_limit = s.cpu_limit
    k.cpu_guarantee = kube["cpu_guarantee"]
    # One claim per student, kept when the server stops (the culler's doing) and when the hub restarts.
    k.storage_pvc_ensure = True
    k.pvc_name_template = "claim-{user_server}"
    k.storage_capacity = kube["storage_capacity"]
    k.storage_access_modes = ["ReadWriteOnce"]
    if kube["storage_class"]:
        k.storage_class = kube["storage_class"]
    k.volumes = [{"name": "work", "persistentVolumeClaim": {"claimName": "{pvc_name}"}}]
    k.volume_mounts = [{"name": "work", "mountPath": config.WORK}]
