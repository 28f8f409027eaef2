"""Hand-in and feedback on the class server, for real: the hub of test_hub.py (hub_fixtures.py), its
hand-in service, two students and their instructor.

Student A hands in twice from a terminal of their lab (`kata submit`), the second time in English
after a change, and once more with nothing changed; the instructor then moves the deadline into the
past, and student B hands in from a notebook cell (`submit()`), late. A tries to hand in as B, by
the address and by the body, sends 50 MB, a file named to climb out of their folder, and a token
they revoked: each is refused, and the whole store is byte for byte what it was. The instructor
copies the latest hand-ins out (hub/handins), grades them (kata dev grade), publishes the feedback
(kata dev publish), and each student finds their own feedback, only theirs, in feedback/ beside
exercises/, where `kata` points to it.

Every step runs against the running hub; nothing is asserted about time.
"""

import base64
import csv
import json
import os
import subprocess
import sys

import pytest
import requests

from support.containers import ROOT, run
from support.hub import KernelOverHub, docker

pytestmark = pytest.mark.slow
pytest_plugins = ("support.hub_fixtures",)

WORK = "/home/student/kata"
SERVICE = "/services/handin/api"
PAST = "2020-01-01T00:00+01:00"


class Course:
    """What the tests share: the hub, its people's containers and tokens."""

    def __init__(self, hub):
        self.hub = hub
        self.people = hub.platform.people
        self.a, self.b = self.people["a"].username, self.people["b"].username
        self.containers = {key: hub.student_container(hub.admin, self.people[key].username) for key in ("a", "b")}
        self.tokens = {}

    def token(self, key) -> str:
        if key not in self.tokens:
            self.tokens[key] = self.hub.browsers[key].new_api_token(f"{key}'s hand-in test")
        return self.tokens[key]

    def service(self, method, path, token, **kwargs) -> requests.Response:
        """The hand-in service through the hub's proxy, as an instructor or a student outside the lab reach it."""
        kwargs.setdefault("timeout", 120)
        return requests.request(method, f"{self.hub.url}{SERVICE}{path}",
                                headers={"Authorization": f"token {token}"}, **kwargs)

    def in_lab(self, key, *command, input=None, env=()):
        """A command in a student's container, as a terminal of their lab runs it."""
        extra = [arg for name in env for arg in ("--env", name)]
        return run(["docker", "exec", "--interactive", "--workdir", WORK, *extra, self.containers[key], *command],
                   input=input, timeout=300, check=False)

    def store(self) -> dict:
        """{path: sha256} of every file in the hand-in store, read in the hub's container."""
        listing = docker("exec", self.hub.hub_container(), "python", "-c", (
            "import hashlib, json, pathlib; root = pathlib.Path('/srv/handins'); print(json.dumps({"
            "str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() "
            "for p in sorted(root.rglob('*')) if p.is_file() and p.name != '.lock'}))")).stdout
        return json.loads(listing)


@pytest.fixture(scope="module")
def course(class_server):
    """The class; afterwards the hub is as test_hub.py expects it: A's stub back, no feedback, the
    settings' deadline (the hand-ins stay in the store, as they would in a course)."""
    course = Course(class_server)
    stub = course.in_lab("a", "cat", "exercises/data.py").stdout
    yield course
    course.in_lab("a", "sh", "-c", "cat > exercises/data.py", input=stub)
    for key in ("a", "b"):
        course.in_lab(key, "rm", "-rf", "feedback")
    course.service("DELETE", "/deadline", course.token("teacher"))


def _hand_in(course, token, files: dict, path="/handins", **extra):
    body = {"files": {name: base64.b64encode(data).decode() for name, data in files.items()}, **extra}
    return course.service("POST", path, token, json=body)


def test_student_a_hands_in_from_a_terminal_of_their_lab_and_again_after_a_change(course):
    answer = (ROOT / "solutions" / "data.py").read_text(encoding="utf-8")
    assert course.in_lab("a", "sh", "-c", "cat > exercises/data.py", input=answer).returncode == 0
    first = course.in_lab("a", "kata", "submit")
    assert first.returncode == 0, first.stderr
    assert "Entregado: 10 ficheros de exercises/" in first.stdout and "Es tu entrega n.º 1" in first.stdout
    assert "A tiempo: el plazo acaba el 2099-06-30 21:59 UTC" in first.stdout

    assert course.in_lab("a", "sh", "-c", "echo '# revisado' >> exercises/data.py").returncode == 0
    second = course.in_lab("a", "kata", "--lang", "en", "submit")
    assert second.returncode == 0 and "This is your hand-in no. 2" in second.stdout, second.stderr
    # Again with nothing changed, finding the service through the hub's API this time.
    again = course.in_lab("a", "kata", "submit", env=["KATA_HANDIN_URL="])
    assert again.returncode == 0 and "No has cambiado nada desde tu entrega n.º 2" in again.stdout, again.stderr
    listed = course.in_lab("a", "kata", "submit", "--list")
    assert "Tus entregas (2;" in listed.stdout and listed.stdout.count("a tiempo") == 2
    course.hub.figures["the hand-in service (RSS)"] = _service_memory(course)


def _service_memory(course) -> int:
    """Bytes of resident memory of the hand-in service's process in the hub's container (`ps`'s RSS)."""
    lines = docker("top", course.hub.hub_container(), "-eo", "rss,pid,args").stdout.splitlines()[1:]   # docker top needs the pid
    [rss] = [int(line.split()[0]) for line in lines if "cnn_kata_hub.handin_service" in line]
    return rss * 1024


def test_the_instructor_moves_the_deadline_and_student_bs_notebook_hand_in_is_marked_late(course):
    teacher = course.token("teacher")
    assert course.service("PUT", "/deadline", course.token("b"), json={"deadline": PAST}).status_code == 403
    moved = course.service("PUT", "/deadline", teacher, json={"deadline": PAST})
    assert moved.status_code == 200 and moved.json()["deadline"] == "2019-12-31T23:00:00+00:00"
    with KernelOverHub(course.hub.url, course.b, course.token("b")) as kernel:
        out, error = kernel.run("from kata.handin import submit\nrecord = submit()")
        assert not error and "Fuera de plazo: el plazo acababa el 2019-12-31 23:00 UTC" in out, (out, error)
    everyone = course.service("GET", "/handins", teacher).json()["students"]
    assert (everyone[course.a]["handins"], everyone[course.a]["late"]) == (2, False)
    assert (everyone[course.b]["handins"], everyone[course.b]["late"]) == (1, True)


def test_a_student_cannot_see_anothers_hand_ins(course):
    assert course.service("GET", f"/handins/{course.b}", course.token("a")).status_code == 403
    assert [r["number"] for r in course.service("GET", "/handins", course.token("a")).json()["handins"]] == [1, 2]


def test_a_student_handing_in_as_the_other_or_sending_50_mb_is_refused_and_nothing_changes(course):
    before = course.store()
    a = course.token("a")
    refused = {
        "as B, by the address": _hand_in(course, a, {"exercises/data.py": b"forged"}, path=f"/handins/{course.b}"),
        "as B, in the body": _hand_in(course, a, {"exercises/data.py": b"forged"}, student=course.b),
        "a name that climbs out": _hand_in(course, a, {f"../{course.b}/exercises/data.py": b"forged"}),
        "50 MB": _hand_in(course, a, {"exercises/data.py": os.urandom(50 * 10**6 * 3 // 4)}),
        "no token": requests.post(f"{course.hub.url}{SERVICE}/handins", json={"files": {}}, timeout=60),
    }
    statuses = {case: answer.status_code for case, answer in refused.items()}
    assert statuses == {"as B, by the address": 403, "as B, in the body": 403, "a name that climbs out": 400,
                        "50 MB": 413, "no token": 401}
    assert "50 MB" in refused["50 MB"].json()["message"]["en"]
    assert course.store() == before
    assert "refused POST /services/handin/api/handins" in course.hub.logs()


def test_a_token_replayed_after_its_owner_revoked_it_is_refused(course):
    browser = course.hub.browsers["a"]
    made = browser.session.post(f"{course.hub.url}/hub/api/users/{course.a}/tokens", json={"note": "to revoke"},
                                headers=browser.xsrf_headers(), timeout=60).json()
    assert course.service("GET", "/handins", made["token"]).status_code == 200
    gone = browser.session.delete(f"{course.hub.url}/hub/api/users/{course.a}/tokens/{made['id']}",
                                  headers=browser.xsrf_headers(), timeout=60)
    assert gone.status_code == 204
    before = course.store()
    assert _hand_in(course, made["token"], {"exercises/data.py": b"replayed"}).status_code == 403
    assert course.store() == before


def test_the_instructor_grades_the_latest_hand_ins_and_publishes_each_students_feedback(course, tmp_path):
    hub = course.hub
    env = {**os.environ, "HUB_NAME": hub.name, "HUB_STUDENT_IMAGE": hub.env["HUB_STUDENT_IMAGE"]}
    submissions, grades = tmp_path / "handins", tmp_path / "grades"
    copied = run([hub.folder / "hub" / "handins", submissions], cwd=hub.folder / "hub", env=env, timeout=300)
    assert f"late: {course.b}" in copied.stdout
    assert sorted(p.name for p in submissions.iterdir()) == sorted([".handins.json", course.a, course.b])
    assert (submissions / course.a / "exercises" / "data.py").read_text().endswith("# revisado\n")
    index = json.loads((submissions / ".handins.json").read_text())["students"]
    assert index[course.a]["number"] == 2 and index[course.b]["late"] is True

    # One step only, to keep the test short: a partial run, which writes its own folder under OUT.
    graded = run([sys.executable, "-m", "kata", "dev", "grade", submissions, grades, "-j", "2", "--steps", "data"],
                 cwd=ROOT, timeout=600)
    assert "graded 2 submission(s)" in graded.stdout
    grades = grades / "partial" / "data"
    rows = {row["student_id"]: row for row in csv.DictReader((grades / "steps.csv").open(encoding="utf-8"))}
    assert (rows[course.a]["data"], rows[course.b]["data"]) == ("1", "0")

    published = run([sys.executable, "-m", "kata", "dev", "publish", grades, "--hub-name", hub.name,
                     "--image", hub.env["HUB_STUDENT_IMAGE"]], cwd=ROOT, timeout=600)
    assert "published the feedback of 2 student(s)" in published.stdout, published.stderr
    for key, name in (("a", course.a), ("b", course.b)):
        listed = course.in_lab(key, "ls", "-n", "feedback")
        assert sorted(line.split()[-1] for line in listed.stdout.splitlines()[1:]) == [f"{name}.html", f"{name}.md"]
        assert all(line.split()[2] == "1000" for line in listed.stdout.splitlines()[1:])   # theirs to keep
        mine = course.in_lab(key, "cat", f"feedback/{name}.md").stdout
        assert mine == (grades / "feedback" / f"{name}.md").read_text(encoding="utf-8")
    shown = course.in_lab("b", "kata")
    assert f"Tu profesor te ha dejado sus comentarios en feedback/{course.b}.md" in shown.stdout, shown.stderr


def test_publishing_again_replaces_the_feedback_and_leaves_the_students_work_alone(course, tmp_path):
    grades = tmp_path / "grades"
    (grades / "feedback").mkdir(parents=True)
    (grades / "feedback" / f"{course.b}.md").write_text("# Segunda corrección\n", encoding="utf-8")
    before = course.in_lab("b", "sha256sum", "exercises/data.py").stdout
    done = subprocess.run([sys.executable, "-m", "kata", "dev", "publish", grades, "--hub-name", course.hub.name,
                           "--image", course.hub.env["HUB_STUDENT_IMAGE"], "--only", course.b],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert course.in_lab("b", "cat", f"feedback/{course.b}.md").stdout == "# Segunda corrección\n"
    assert course.in_lab("b", "sha256sum", "exercises/data.py").stdout == before
    assert f"{course.b}.md" not in course.in_lab("a", "ls", "feedback").stdout
