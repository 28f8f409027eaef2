"""The hand-in service (hub/cnn_kata_hub/handin_service.py) over HTTP, and `kata submit` talking to it.

The service runs here as the hub runs it, with JupyterHub's own `HubAuth`; only the hub is a stand-in:
a small tornado app that answers /hub/api/user for a few tokens as JupyterHub does (the token's
owner and scopes, 403 for an unknown one). Each attack on the service is a test of its own, and
each ends by checking that nothing in the store changed. test_handin_hub.py repeats the main ones
on the real class server.
"""

import asyncio
import base64
import hashlib
import json
import os
import shutil
import sys
import threading
from pathlib import Path

import pytest
import requests

pytest.importorskip("jupyterhub", reason="the hand-in service authenticates with JupyterHub's service auth "
                                         "(in the dev extra: pip install -e '.[dev]')")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "hub"))

from jupyterhub.services.auth import HubAuth  # noqa: E402
from tornado import web  # noqa: E402

from cnn_kata_hub import handin_service  # noqa: E402
from cnn_kata_hub.handin_store import Store, parse_deadline  # noqa: E402
from kata import handin  # noqa: E402

HANDIN_SCOPE = "access:services!service=handin"
PEOPLE = {
    "token-ana": {"kind": "user", "name": "ana", "scopes": [HANDIN_SCOPE, "users:activity!user=ana"]},
    "token-luis": {"kind": "user", "name": "luis", "scopes": [HANDIN_SCOPE]},
    "token-profe": {"kind": "user", "name": "profe", "scopes": ["admin:users", "access:services", "admin:servers"]},
    "token-no-scope": {"kind": "user", "name": "carla", "scopes": ["users:activity!user=carla"]},
    "token-culler": {"kind": "service", "name": "idle-culler", "scopes": ["access:services"]},
}


class FakeHubUser(web.RequestHandler):
    """GET /hub/api/user as JupyterHub answers it: the token's owner and scopes, else 403."""

    def get(self):
        token = self.request.headers.get("Authorization", "").partition(" ")[2]
        self.application.settings["seen"].append(token)
        if token not in self.application.settings["tokens"]:
            raise web.HTTPError(403)
        self.finish(self.application.settings["tokens"][token])


class Running:
    """The fake hub and the service on 127.0.0.1, in a thread of their own."""

    def __init__(self, store_root: Path):
        self.tokens = {k: dict(v) for k, v in PEOPLE.items()}
        self.seen = []
        self.store = Store(store_root)
        ready = threading.Event()

        async def serve():
            hub = web.Application([(r"/hub/api/user", FakeHubUser)], tokens=self.tokens, seen=self.seen)
            hub_port = hub.listen(0, "127.0.0.1")._sockets.popitem()[1].getsockname()[1]
            auth = HubAuth(api_url=f"http://127.0.0.1:{hub_port}/hub/api", api_token="the-services-own-token",
                           access_scopes={HANDIN_SCOPE})
            app = handin_service.make_app(self.store, auth, "/services/handin/")
            server = app.listen(0, "127.0.0.1", max_body_size=handin_service.DRAIN_LIMIT)
            self.port = server._sockets.popitem()[1].getsockname()[1]
            self.stop = asyncio.Event()
            self.loop = asyncio.get_running_loop()
            ready.set()
            await self.stop.wait()

        self.thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
        self.thread.start()
        assert ready.wait(30), "the service did not start"
        self.url = f"http://127.0.0.1:{self.port}/services/handin/"

    def close(self):
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(30)

    def call(self, method, path, token=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"token {token}"
        return requests.request(method, self.url + path, headers=headers, timeout=60, **kwargs)

    def hand_in(self, token, files: dict, path="api/handins", **extra):
        body = {"files": {name: base64.b64encode(data).decode() for name, data in files.items()}, **extra}
        return self.call("POST", path, token, json=body)

    def snapshot(self) -> dict:
        root = self.store.root
        return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".lock"}


@pytest.fixture
def service(tmp_path):
    running = Running(tmp_path / "store")
    yield running
    running.close()


@pytest.fixture
def class_in_progress(service):
    """Ana and Luis have each handed in once."""
    assert service.hand_in("token-ana", {"exercises/data.py": b"ana = 1\n"}).status_code == 201
    assert service.hand_in("token-luis", {"exercises/data.py": b"luis = 1\n"}).status_code == 201
    return service


def _refusal(answer) -> dict:
    body = answer.json()
    assert set(body) == {"error", "message"} and set(body["message"]) == {"es", "en"}, body
    return body


# --- who may do what -----------------------------------------------------------------------------------

def test_a_student_hands_in_as_the_owner_of_their_token(service):
    answer = service.hand_in("token-ana", {"exercises/data.py": b"x = 1\n"}, client="kata 0.2.0")
    assert answer.status_code == 201
    record = answer.json()
    assert (record["student"], record["number"], record["unchanged"]) == ("ana", 1, False)
    assert (service.store.root / "latest" / "ana" / "exercises" / "data.py").read_bytes() == b"x = 1\n"


def test_handing_in_under_another_students_name_is_refused_and_changes_nothing(class_in_progress):
    service = class_in_progress
    before = service.snapshot()
    by_path = service.hand_in("token-ana", {"exercises/data.py": b"forged"}, path="api/handins/luis")
    by_body = service.hand_in("token-ana", {"exercises/data.py": b"forged"}, student="luis")
    for answer in (by_path, by_body):
        assert answer.status_code == 403 and _refusal(answer)["error"] == "not_yours"
    assert service.snapshot() == before


def test_not_even_an_admin_hands_in_on_a_students_behalf(class_in_progress):
    before = class_in_progress.snapshot()
    answer = class_in_progress.hand_in("token-profe", {"exercises/data.py": b"x"}, path="api/handins/luis")
    assert answer.status_code == 403 and class_in_progress.snapshot() == before


def test_naming_yourself_is_the_same_as_naming_nobody(service):
    assert service.hand_in("token-ana", {"exercises/data.py": b"a"}, path="api/handins/ana", student="ana").status_code == 201


@pytest.mark.parametrize("token, status, reason", [
    (None, 401, "no_token"),
    ("not-a-token-the-hub-knows", 403, "bad_token"),
    ("token-no-scope", 403, "no_scope"),
    ("token-culler", 403, "not_a_user"),
])
def test_a_request_without_a_students_token_that_may_hand_in_is_refused(class_in_progress, token, status, reason):
    before = class_in_progress.snapshot()
    answer = class_in_progress.hand_in(token, {"exercises/data.py": b"x"})
    assert answer.status_code == status and _refusal(answer)["error"] == reason
    assert class_in_progress.snapshot() == before


def test_a_revoked_token_replayed_a_moment_later_is_refused_at_once(service):
    assert service.hand_in("token-ana", {"exercises/data.py": b"v1"}).status_code == 201
    del service.tokens["token-ana"]              # the student (or the hub, on stopping the server) revokes it
    before = service.snapshot()
    answer = service.hand_in("token-ana", {"exercises/data.py": b"v2"})
    assert answer.status_code == 403 and service.snapshot() == before
    assert service.seen.count("token-ana") == 2   # asked the hub each time: no cached answer


def test_a_token_in_the_url_is_not_accepted(service):
    answer = service.call("POST", "api/handins?token=token-ana", json={"files": {"exercises/data.py": "eA=="}})
    assert answer.status_code == 401


def test_students_read_only_their_own_hand_ins_and_the_instructor_reads_the_class(class_in_progress):
    service = class_in_progress
    mine = service.call("GET", "api/handins", "token-ana").json()
    assert mine["student"] == "ana" and [r["number"] for r in mine["handins"]] == [1]
    assert service.call("GET", "api/handins/luis", "token-ana").status_code == 403
    everyone = service.call("GET", "api/handins", "token-profe").json()
    assert sorted(everyone["students"]) == ["ana", "luis"] and everyone["deadline"] is None
    assert service.call("GET", "api/handins/luis", "token-profe").json()["handins"][0]["student"] == "luis"


def test_only_the_instructor_moves_the_deadline_and_later_hand_ins_are_marked_late(class_in_progress):
    service = class_in_progress
    refused = service.call("PUT", "api/deadline", "token-ana", json={"deadline": "2099-01-01T00:00Z"})
    assert refused.status_code == 403 and _refusal(refused)["error"] == "admins_only"
    assert service.call("DELETE", "api/deadline", "token-luis").status_code == 403
    moved = service.call("PUT", "api/deadline", "token-profe", json={"deadline": "2020-01-01T00:00+01:00"})
    assert moved.json() == {"deadline": "2019-12-31T23:00:00+00:00", "deadline_from": "instructor"}
    assert service.call("GET", "api/deadline", "token-luis").json()["deadline"] == "2019-12-31T23:00:00+00:00"
    late = service.hand_in("token-luis", {"exercises/data.py": b"luis = 2\n"}).json()
    assert late["late"] is True and late["number"] == 2
    assert service.call("PUT", "api/deadline", "token-profe", json={"deadline": "tomorrow"}).status_code == 400
    assert service.call("DELETE", "api/deadline", "token-profe").json()["deadline_from"] == "none"


# --- what a hand-in may carry --------------------------------------------------------------------------

def test_fifty_megabytes_are_refused_with_the_reason_and_change_nothing(class_in_progress):
    before = class_in_progress.snapshot()
    big = base64.b64encode(os.urandom(50 * 10**6 * 3 // 4)).decode()
    answer = class_in_progress.call("POST", "api/handins", "token-ana", json={"files": {"exercises/data.py": big}})
    assert answer.status_code == 413
    message = _refusal(answer)["message"]
    assert "50 MB" in message["en"] and "3 MB fit" in message["en"] and "caben 3 MB" in message["es"]
    assert class_in_progress.snapshot() == before


def test_a_body_without_a_length_that_grows_too_large_is_refused_too(class_in_progress):
    before = class_in_progress.snapshot()

    def chunks():
        yield b'{"files": {"exercises/data.py": "'
        for _ in range(40):
            yield b"A" * 100_000
        yield b'"}}'

    answer = class_in_progress.call("POST", "api/handins", "token-ana", data=chunks())
    assert answer.status_code == 413 and class_in_progress.snapshot() == before


@pytest.mark.parametrize("body, reason", [
    (b"not json", "not_json"),
    (b'{"files": ["exercises/data.py"]}', "not_json"),
    (b'{"files": {"exercises/data.py": "%%%"}}', "not_base64"),
    (b'{"files": {"../luis/exercises/data.py": "eA=="}}', "file_name"),
    (b'{"files": {"exercises/../../latest/luis/exercises/data.py": "eA=="}}', "file_name"),
    (b'{"files": {}}', "empty"),
    (json.dumps({"files": {f"exercises/m{i}.py": "eA==" for i in range(21)}}).encode(), "too_many_files"),
])
def test_a_malformed_or_hostile_hand_in_is_refused_naming_what_is_wrong(class_in_progress, body, reason):
    before = class_in_progress.snapshot()
    answer = class_in_progress.call("POST", "api/handins", "token-ana", data=body)
    assert answer.status_code == 400 and _refusal(answer)["error"] == reason
    assert class_in_progress.snapshot() == before


def test_the_health_check_needs_no_token(service):
    assert service.call("GET", "api/health").json() == {"status": "ok"}


# --- kata submit, against the service --------------------------------------------------------------------

@pytest.fixture
def lab(tmp_path, service, monkeypatch):
    """A student's kata folder with two steps written, and the environment a lab of the hub gives."""
    root = tmp_path / "kata-root"
    (root / "kata").mkdir(parents=True)
    shutil.copy(ROOT / "kata" / "steps.toml", root / "kata" / "steps.toml")
    (root / "exercises").mkdir()
    (root / "exercises" / "data.py").write_text("def one_hot(labels):\n    return labels\n")
    (root / "exercises" / "conv2d.py").write_text("def conv2d(x, W, b):\n    return x\n")
    (root / "exercises" / "notes.txt").write_text("not a step: not handed in")
    monkeypatch.setenv("KATA_HANDIN_URL", service.url)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "token-ana")
    monkeypatch.setenv("KATA_LANG", "en")
    return root


def test_kata_submit_hands_in_the_step_modules_and_says_so(lab, service, capsys):
    record = handin.submit(lab)
    assert sorted(record["files"]) == ["exercises/conv2d.py", "exercises/data.py"]
    out = capsys.readouterr().out
    assert "Handed in: 2 files from exercises/" in out and "hand-in no. 1" in out and record["sha256"][:12] in out
    handin.submit(lab)
    assert "Nothing has changed since your hand-in no. 1" in capsys.readouterr().out
    (lab / "exercises" / "data.py").write_text("def one_hot(labels):\n    return 2 * labels\n")
    assert handin.submit(lab, quiet=True)["number"] == 2
    assert "no. 1" in handin.describe_history(handin.history()) and "no. 2" in handin.describe_history(handin.history())


def test_kata_submit_in_spanish_says_when_a_hand_in_is_late(lab, service, capsys, monkeypatch):
    service.store.move_deadline(parse_deadline("2020-01-01T00:00Z"))
    monkeypatch.setenv("KATA_LANG", "es")
    handin.submit(lab)
    out = capsys.readouterr().out
    assert "Entregado: 2 ficheros" in out and "Fuera de plazo: el plazo acababa el 2020-01-01 00:00 UTC" in out


def test_kata_submit_refuses_a_step_file_that_is_a_link_before_sending_anything(lab, service, tmp_path):
    secret = tmp_path / "someone-elses.py"
    secret.write_text("their code")
    (lab / "exercises" / "data.py").unlink()
    (lab / "exercises" / "data.py").symlink_to(secret)
    with pytest.raises(handin.HandinError, match="exercises/data.py is a symbolic link"):
        handin.submit(lab)
    assert service.store.history("ana") == []


def test_kata_submit_refuses_a_step_file_too_large_for_the_service_naming_it(lab, service):
    (lab / "exercises" / "conv2d.py").write_bytes(b"#" * (handin.MAX_FILE_BYTES + 1))
    with pytest.raises(handin.HandinError, match=r"exercises/conv2d.py is 1 MB and 1 MB fit"):
        handin.submit(lab)
    assert service.store.history("ana") == []


def test_the_services_refusal_reaches_the_student_in_their_language(lab, service, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "token-no-scope")
    with pytest.raises(handin.HandinError) as refused:
        handin.submit(lab)
    assert str(refused.value) == "Hand-in refused: This token cannot hand in: hand in from your JupyterLab (kata submit)."
    monkeypatch.setenv("KATA_LANG", "es")
    with pytest.raises(handin.HandinError, match="^Entrega rechazada: Este token no sirve para entregar"):
        handin.submit(lab)


def test_kata_submit_outside_a_class_server_says_how_else_to_hand_in(lab, monkeypatch):
    for name in ("KATA_HANDIN_URL", "JUPYTERHUB_API_TOKEN", "JUPYTERHUB_API_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(handin.HandinError, match="There is no class server here to hand in to"):
        handin.submit(lab)


def test_kata_submit_with_the_service_down_says_the_files_are_unchanged(lab, monkeypatch):
    monkeypatch.setenv("KATA_HANDIN_URL", "http://127.0.0.1:9/services/handin/")
    with pytest.raises(handin.HandinError, match="Could not reach the hand-in service .* Your files have not changed"):
        handin.submit(lab)


def test_in_a_notebook_a_refused_hand_in_shows_its_message_and_no_traceback():
    assert handin.HandinError("Hand-in refused: why")._render_traceback_() == ["Hand-in refused: why"]
