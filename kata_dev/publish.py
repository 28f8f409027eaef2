"""Give each student their feedback where they work: `feedback/` beside `exercises/` in their own
workspace on the class server, where `kata` tells them it is there.

The feedback is what `kata dev grade` wrote: OUT/feedback/<student>.md and .html, <student> being
the hub username when the class came from the hand-in service (hub/handins) or hub/collect. On the
class server of hub/ each student's workspace is a Docker volume, `<HUB_NAME>-work-<username>`
(DockerSpawner escapes the username in it); the files go in through a throwaway container of the
students' image, as the student's own user, with no network, no capabilities, and only that
student's two files mounted, read-only: nobody's feedback can reach anyone else's volume. Each
file is written under a temporary name and renamed into place. Nothing else in the volume is
touched, and the student's own files stay as they were.
"""

import os
import re
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

STUDENT_UID = "1000:1000"          # the students' image's user (hub/cnn_kata_hub/config.py runs it so)
FEEDBACK = re.compile(r"(?P<student>[A-Za-z0-9][A-Za-z0-9._@+-]{0,99})\.(?P<kind>md|html)")
# What the container runs (`sh -c WRITE sh WORKSPACE INCOMING`): make feedback/ (refusing a link or a
# file in its place), then each file under a temporary name, renamed into place (a link planted at
# either name is removed or replaced, never followed).
WRITE = r"""set -eu
cd "$1"
if [ -L feedback ] || { [ -e feedback ] && [ ! -d feedback ]; }; then
    echo "feedback is not a folder in this workspace" >&2; exit 3
fi
mkdir -p feedback
for source in "$2"/*; do
    name=$(basename "$source")
    rm -f "feedback/.$name.tmp"
    cp "$source" "feedback/.$name.tmp"
    mv -f "feedback/.$name.tmp" "feedback/$name"
done
"""


class PublishError(RuntimeError):
    """Publishing cannot start at all; the message names what is missing and the fix."""


@dataclass
class Report:
    published: list = field(default_factory=list)       # students whose workspace got their feedback
    no_workspace: list = field(default_factory=list)    # feedback for someone with no volume on this hub
    failed: dict = field(default_factory=dict)          # student → why the write failed
    without_feedback: list = field(default_factory=list)  # workspaces that got nothing (no hand-in graded)


def unescape(escaped: str) -> str:
    """DockerSpawner's escaping undone: '-2d' is '-', '-40' is '@' (each '-xx' one byte of UTF-8)."""
    raw = re.sub(rb"-([0-9a-f]{2})", lambda m: bytes([int(m.group(1), 16)]), escaped.encode("ascii", "replace"))
    return raw.decode("utf-8", "replace")


def feedback_files(out) -> dict:
    """{student: [their .md and .html]} from OUT/feedback/ (kata dev grade's output)."""
    folder = Path(out) / "feedback"
    if not folder.is_dir():
        raise PublishError(f"{folder}: no such folder; pass the OUT folder of kata dev grade (it holds feedback/)")
    found = {}
    for path in sorted(folder.iterdir()):
        match = FEEDBACK.fullmatch(path.name)
        if match and path.is_file() and not path.is_symlink():
            found.setdefault(match["student"], []).append(path)
    if not found:
        raise PublishError(f"{folder} holds no <student>.md or .html: run kata dev grade first")
    return found


class DockerWorkspaces:
    """The students' volumes of the class server `hub_name` on this machine's Docker engine."""

    def __init__(self, hub_name: str, image: str, docker: str = "docker"):
        self.hub_name, self.image, self.docker = hub_name, image, docker
        self.prefix = f"{hub_name}-work-"

    def _run(self, *args, check=True, timeout=120) -> subprocess.CompletedProcess:
        try:
            done = subprocess.run([self.docker, *args], capture_output=True, text=True, timeout=timeout)
        except FileNotFoundError:
            raise PublishError(f"{self.docker} is not installed here: run kata dev publish on the class "
                               f"server's machine, where hub/ runs") from None
        if check and done.returncode != 0:
            raise PublishError(f"`{shlex.join([self.docker, *args])}` failed: {done.stderr.strip()[-500:]}")
        return done

    def check(self) -> None:
        if self._run("image", "inspect", self.image, check=False).returncode != 0:
            raise PublishError(f"the students' image {self.image} is not on this Docker engine (is HUB_STUDENT_IMAGE "
                               f"right? docker compose build, in hub/)")

    def volumes(self) -> dict:
        """{username: volume} of every student's workspace."""
        listed = self._run("volume", "ls", "--quiet", "--filter", f"name=^{self.prefix}").stdout.split()
        return {unescape(volume[len(self.prefix):]): volume for volume in listed if volume.startswith(self.prefix)}

    def write(self, volume: str, files: list) -> None:
        """Copy `files` into the volume's feedback/, as the student's user."""
        with tempfile.TemporaryDirectory(prefix="kata-publish-") as staging:
            os.chmod(staging, 0o755)
            for path in files:
                target = Path(staging) / path.name
                shutil.copyfile(path, target)
                os.chmod(target, 0o644)
            done = self._run("run", "--rm", "--network", "none", "--user", STUDENT_UID, "--cap-drop", "ALL",
                             "--security-opt", "no-new-privileges", "--read-only", "--entrypoint", "sh",
                             "--volume", f"{volume}:/work", "--volume", f"{staging}:/in:ro",
                             self.image, "-c", WRITE, "sh", "/work", "/in", check=False, timeout=300)
        if done.returncode != 0:
            raise OSError(done.stderr.strip()[-300:] or f"exit status {done.returncode}")


def publish(out, workspaces, only=None) -> Report:
    """Each student's feedback from OUT into their workspace; `only`: just these students."""
    feedback = feedback_files(out)
    if only:
        unknown = sorted(set(only) - set(feedback))
        if unknown:
            raise PublishError(f"no feedback in {Path(out) / 'feedback'} for {', '.join(unknown)}")
        feedback = {student: files for student, files in feedback.items() if student in only}
    workspaces.check()
    volumes = workspaces.volumes()
    report = Report()
    for student, files in sorted(feedback.items()):
        volume = volumes.get(student)
        if volume is None:
            report.no_workspace.append(student)
            continue
        try:
            workspaces.write(volume, files)
        except OSError as error:
            report.failed[student] = str(error)
        else:
            report.published.append(student)
    if not only:
        report.without_feedback = sorted(set(volumes) - set(feedback))
    return report


def hub_setting(name: str, default: str, root) -> str:
    """A hub setting as hub/collect reads it: the environment's value, else hub/.env's, else the default."""
    value = os.environ.get(name, "")
    env_file = Path(root) / "hub" / ".env"
    if not value and env_file.is_file():
        for line in env_file.read_text(encoding="utf-8").splitlines():
            if line.startswith(f"{name}="):
                value = line.split("=", 1)[1].strip()
    return value or default
