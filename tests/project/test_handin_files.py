"""Hand-in and feedback, read without a hub: how the class server's configuration, compose file and
settings wire the hand-in service in; `kata dev publish` and `kata` showing the feedback; and that
the kata's client and the service hold the same limits. test_handin_hub.py runs it all for real.
"""

import os
import string
import subprocess
import sys
from pathlib import Path

import pytest
from traitlets.config import Config

yaml = pytest.importorskip("yaml", reason="pyyaml (in the dev extra: pip install -e '.[dev]') parses docker-compose.yml")

ROOT = Path(__file__).resolve().parents[2]
HUB = ROOT / "hub"
sys.path.insert(0, str(HUB))

from cnn_kata_hub import config, handin_store, settings  # noqa: E402
from kata import handin  # noqa: E402
from kata.commands.status import print_feedback  # noqa: E402
from kata.status import instructor_feedback  # noqa: E402
from kata_dev import publish  # noqa: E402

CLASS_LIST = {"HUB_AUTH": "classlist", "HUB_CLASS_LIST": str(HUB / "class" / "class-list.example.txt")}


def _configured(**env) -> Config:
    c = Config()
    config.configure(c, settings.read({**CLASS_LIST, **env}))
    return c


# --- the hub's configuration -------------------------------------------------------------------------

def test_the_hand_in_service_is_a_hub_service_in_the_hubs_container_with_its_store_and_deadline():
    c = _configured(HUB_HANDIN_DEADLINE="2026-06-30T23:59+02:00")
    [service] = [s for s in c.JupyterHub.services if s["name"] == "handin"]
    assert service["url"] == "http://hub:10101" and service["display"] is False
    assert service["command"][1:] == ["-m", "cnn_kata_hub.handin_service"]
    assert service["environment"] == {"HUB_HANDIN_STORE": "/srv/handins", "HUB_HANDIN_DEADLINE": "2026-06-30T21:59:00+00:00"}
    assert (HUB / "cnn_kata_hub" / "handin_service.py").read_text(encoding="utf-8").rstrip().endswith("main()")


def test_students_may_use_the_hand_in_service_and_their_labs_token_may_too():
    c = _configured()
    [user] = [role for role in c.JupyterHub.load_roles if role["name"] == "user"]
    assert user["scopes"] == ["self", "access:services!service=handin", "read:services!service=handin"]
    # JupyterHub's server role, plus handing in: nothing more for the token every kernel can read.
    assert c.Spawner.server_token_scopes == ["users:activity!user", "access:servers!server",
                                             "access:services!service=handin", "read:services!service=handin"]
    assert c.Spawner.environment["KATA_HANDIN_URL"] == "http://hub:10101/services/handin/"


def test_the_services_are_added_to_those_already_configured():
    c = Config()
    c.JupyterHub.services = [{"name": "someone-elses"}]
    config.services(c, settings.read(CLASS_LIST))
    assert [s["name"] for s in c.JupyterHub.services] == ["someone-elses", "idle-culler", "handin"]


def test_the_deadline_setting_needs_its_time_zone_and_empty_means_none():
    assert settings.read(CLASS_LIST).handin_deadline == ""
    assert settings.read({**CLASS_LIST, "HUB_HANDIN_DEADLINE": "2026-06-30T21:59Z"}).handin_deadline == \
        "2026-06-30T21:59:00+00:00"
    for bad in ("2026-06-30 23:59", "30/06/2026"):
        with pytest.raises(settings.SettingsError) as refused:
            settings.read({**CLASS_LIST, "HUB_HANDIN_DEADLINE": bad})
        assert "HUB_HANDIN_DEADLINE" in str(refused.value) and "2026-06-30T23:59+02:00" in str(refused.value)


def test_compose_keeps_the_store_on_a_volume_of_its_own_in_the_hub_only():
    compose = yaml.safe_load((HUB / "docker-compose.yml").read_text(encoding="utf-8"))
    hub = compose["services"]["hub"]
    [mount] = [v for v in hub["volumes"] if isinstance(v, dict) and v["source"] == "handins"]
    assert mount["target"] == config.HANDIN_STORE and mount.get("read_only") is not True
    assert compose["volumes"]["handins"]["name"] == "${HUB_NAME:-cnn-kata-hub}-handins"
    assert hub["environment"]["HUB_HANDIN_DEADLINE"] == "${HUB_HANDIN_DEADLINE:-}"
    others = [name for name, service in compose["services"].items() if name != "hub"]
    assert not any("handins" in str(compose["services"][name].get("volumes", "")) for name in others)


def test_the_kata_client_and_the_service_hold_the_same_limits():
    assert (handin.MAX_FILES, handin.MAX_FILE_BYTES, handin.MAX_TOTAL_BYTES) == (
        handin_store.MAX_FILES, handin_store.MAX_FILE_BYTES, handin_store.MAX_TOTAL_BYTES)
    assert handin_store.MAX_BODY_BYTES >= handin_store.MAX_TOTAL_BYTES * 4 // 3 + 100_000


def test_every_step_module_is_a_file_name_the_service_takes():
    from kata import manifest

    for step in manifest.steps(ROOT):
        assert handin_store.FILE_NAME.fullmatch(f"exercises/{step.filename}"), step.filename


def test_the_hub_usernames_the_store_takes_are_ids_the_grader_keeps_as_they_are():
    from kata_dev.grader import submissions

    for name in ("ana.garcia", "1042", "3f2a9c1e-7b4d-4e8a-9c1f-0a1b2c3d4e5f", "ana@uni.es", "a+b"):
        assert handin_store.STUDENT.fullmatch(name)
        assert submissions.identify(name)[:3] == (name, name, "folder")


def test_hub_handins_refuses_an_out_folder_that_is_not_empty(tmp_path):
    (tmp_path / "old").mkdir()
    done = subprocess.run([HUB / "handins", tmp_path], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "is not empty" in done.stderr and done.stdout == ""
    assert os.access(HUB / "handins", os.X_OK)


# --- kata shows the feedback ------------------------------------------------------------------------------

def test_kata_status_points_to_the_feedback_the_instructor_published(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KATA_LANG", "en")
    assert instructor_feedback(tmp_path) == []
    print_feedback(instructor_feedback(tmp_path), tmp_path)
    assert capsys.readouterr().out == ""
    (tmp_path / "feedback").mkdir()
    (tmp_path / "feedback" / "ana.md").write_text("# cnn-kata")
    (tmp_path / "feedback" / "ana.html").write_text("<h1>cnn-kata</h1>")
    print_feedback(instructor_feedback(tmp_path), tmp_path)
    assert capsys.readouterr().out == ("Your instructor's feedback is in feedback/ana.md "
                                       "(and feedback/ana.html, to read it in a browser).\n")
    monkeypatch.setenv("KATA_LANG", "es")
    print_feedback(instructor_feedback(tmp_path), tmp_path)
    assert "Tu profesor te ha dejado sus comentarios en feedback/ana.md" in capsys.readouterr().out


# --- kata dev publish ---------------------------------------------------------------------------------------

def _escape(name: str) -> str:
    """DockerSpawner's escaping of a username in volume names (escapism, '-' as the escape character)."""
    from escapism import escape

    return escape(name, set(string.ascii_lowercase + string.digits), escape_char="-").lower()


@pytest.mark.parametrize("name", ["ana.garcia", "1042", "3f2a9c1e-7b4d-4e8a-9c1f-0a1b2c3d4e5f", "ana@uni.es", "a-2d"])
def test_publish_finds_a_students_volume_by_undoing_dockerspawners_escaping(name):
    pytest.importorskip("escapism")
    assert publish.unescape(_escape(name)) == name


class FakeWorkspaces:
    """The students' volumes as a dict; `write` records what would be copied where."""

    def __init__(self, volumes, failing=()):
        self.volumes_by_name, self.failing, self.written = volumes, set(failing), {}

    def check(self):
        pass

    def volumes(self):
        return dict(self.volumes_by_name)

    def write(self, volume, files):
        if volume in self.failing:
            raise OSError("feedback is not a folder in this workspace")
        self.written[volume] = sorted(p.name for p in files)


def _graded(tmp_path, *students) -> Path:
    out = tmp_path / "grades"
    (out / "feedback").mkdir(parents=True)
    for student in students:
        (out / "feedback" / f"{student}.md").write_text(f"# {student}")
        (out / "feedback" / f"{student}.html").write_text(f"<h1>{student}</h1>")
    (out / "feedback" / "README.txt").write_text("not feedback")
    return out


def test_publish_writes_each_students_own_two_files_into_their_own_workspace_only(tmp_path):
    out = _graded(tmp_path, "ana", "1042", "someone")
    spaces = FakeWorkspaces({"ana": "hub-work-ana", "1042": "hub-work-1042", "carla": "hub-work-carla"})
    report = publish.publish(out, spaces)
    assert spaces.written == {"hub-work-ana": ["ana.html", "ana.md"], "hub-work-1042": ["1042.html", "1042.md"]}
    assert (report.published, report.no_workspace, report.without_feedback) == (["1042", "ana"], ["someone"], ["carla"])


def test_publish_only_some_students_and_report_a_workspace_it_could_not_write(tmp_path):
    out = _graded(tmp_path, "ana", "1042")
    spaces = FakeWorkspaces({"ana": "hub-work-ana", "1042": "hub-work-1042"}, failing={"hub-work-1042"})
    report = publish.publish(out, spaces, only=["1042"])
    assert report.failed == {"1042": "feedback is not a folder in this workspace"} and spaces.written == {}
    with pytest.raises(publish.PublishError, match="no feedback .* for nobody"):
        publish.publish(out, spaces, only=["nobody"])


def test_publish_reads_only_regular_feedback_files_never_a_link(tmp_path):
    out = _graded(tmp_path, "ana")
    (out / "feedback" / "luis.md").symlink_to(out / "feedback" / "ana.md")
    assert {s: [p.name for p in files] for s, files in publish.feedback_files(out).items()} == {
        "ana": ["ana.html", "ana.md"]}


def test_kata_dev_publish_without_grades_says_to_grade_first(tmp_path):
    done = subprocess.run([sys.executable, "-m", "kata", "dev", "publish", str(tmp_path / "nothing")],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 2
    assert "kata dev publish:" in done.stderr and "pass the OUT folder of kata dev grade" in done.stderr


def test_publish_reads_the_hubs_name_and_image_as_hub_collect_does(tmp_path, monkeypatch):
    (tmp_path / "hub").mkdir()
    (tmp_path / "hub" / ".env").write_text("HUB_NAME=ia101\nHUB_STUDENT_IMAGE=\n")
    monkeypatch.delenv("HUB_NAME", raising=False)
    monkeypatch.delenv("HUB_STUDENT_IMAGE", raising=False)
    assert publish.hub_setting("HUB_NAME", "cnn-kata-hub", tmp_path) == "ia101"
    assert publish.hub_setting("HUB_STUDENT_IMAGE", "cnn-kata-lab:0.2.0", tmp_path) == "cnn-kata-lab:0.2.0"
    monkeypatch.setenv("HUB_NAME", "ia102")
    assert publish.hub_setting("HUB_NAME", "cnn-kata-hub", tmp_path) == "ia102"


def _write_in(workspace: Path, incoming: Path) -> subprocess.CompletedProcess:
    """What the throwaway container runs, run here on two folders."""
    return subprocess.run(["sh", "-c", publish.WRITE, "sh", str(workspace), str(incoming)],
                          capture_output=True, text=True, timeout=60)


def test_the_write_in_a_workspace_replaces_planted_links_and_never_writes_through_them(tmp_path):
    incoming, workspace, victim = tmp_path / "in", tmp_path / "work", tmp_path / "victim.txt"
    incoming.mkdir()
    (incoming / "ana.md").write_text("# your feedback")
    (workspace / "feedback").mkdir(parents=True)
    victim.write_text("untouched")
    (workspace / "feedback" / "ana.md").symlink_to(victim)
    (workspace / "feedback" / ".ana.md.tmp").symlink_to(victim)
    (workspace / "exercises").mkdir()
    (workspace / "exercises" / "data.py").write_text("mine")
    done = _write_in(workspace, incoming)
    assert done.returncode == 0, done.stderr
    assert victim.read_text() == "untouched" and not (workspace / "feedback" / "ana.md").is_symlink()
    assert (workspace / "feedback" / "ana.md").read_text() == "# your feedback"
    assert sorted(p.name for p in (workspace / "feedback").iterdir()) == ["ana.md"]
    assert (workspace / "exercises" / "data.py").read_text() == "mine"


def test_the_write_refuses_a_feedback_folder_that_is_a_link_elsewhere(tmp_path):
    incoming, workspace, elsewhere = tmp_path / "in", tmp_path / "work", tmp_path / "elsewhere"
    for folder in (incoming, workspace, elsewhere):
        folder.mkdir()
    (incoming / "ana.md").write_text("# your feedback")
    (workspace / "feedback").symlink_to(elsewhere)
    done = _write_in(workspace, incoming)
    assert done.returncode == 3 and "feedback is not a folder" in done.stderr
    assert list(elsewhere.iterdir()) == []
