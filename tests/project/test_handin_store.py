"""The hand-in store (hub/cnn_kata_hub/handin_store.py): every hand-in kept whole and never
overwritten, late ones marked against the deadline, hostile input refused before anything is
written, and `latest/` read by the grader exactly as a folder-per-student class.

The store imports nothing of JupyterHub's; test_handin_service.py puts the service in front of it,
test_handin_hub.py runs both on the class server.
"""

import hashlib
import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "hub"))

from cnn_kata_hub import handin_store  # noqa: E402
from cnn_kata_hub.handin_store import Refused, Store  # noqa: E402

NOON = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
DEADLINE = datetime(2026, 6, 30, 21, 59, tzinfo=timezone.utc)


def _files(**modules) -> dict:
    return {f"exercises/{name}.py": text.encode() for name, text in modules.items()}


def _tree(folder: Path) -> dict:
    """{relative path: sha256} of every file under `folder`: what "nothing changed" compares."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".lock"}


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "store", DEADLINE)


def test_a_hand_in_is_kept_in_a_folder_named_by_its_time_and_fingerprint_with_its_manifest(store):
    receipt = store.hand_in("ana", _files(data="x = 1\n", conv2d="y = 2\n"), now=NOON, client="kata 0.2.0")
    record = receipt.record
    fingerprint = handin_store.fingerprint(_files(data="x = 1\n", conv2d="y = 2\n"))
    assert record["id"] == f"20260601T120000.000000Z-{fingerprint[:12]}" and record["sha256"] == fingerprint
    folder = store.root / "handins" / "ana" / record["id"]
    assert (folder / "exercises" / "data.py").read_text() == "x = 1\n"
    assert json.loads((folder / "manifest.json").read_text()) == record
    assert record["files"]["exercises/data.py"] == {"bytes": 6, "sha256": hashlib.sha256(b"x = 1\n").hexdigest()}
    assert (record["number"], record["late"], record["client"]) == (1, False, "kata 0.2.0")
    assert record["deadline"] == "2026-06-30T21:59:00+00:00" and not receipt.unchanged


def test_every_hand_in_is_kept_and_none_is_ever_overwritten(store):
    first = store.hand_in("ana", _files(data="v1"), now=NOON).record
    kept = _tree(store.root / "handins" / "ana" / first["id"])
    second = store.hand_in("ana", _files(data="v2"), now=NOON + timedelta(hours=1)).record
    third = store.hand_in("ana", _files(data="v1"), now=NOON + timedelta(hours=2)).record   # back to v1: a new one
    assert [r["number"] for r in store.history("ana")] == [1, 2, 3]
    assert [r["id"] for r in store.history("ana")] == [first["id"], second["id"], third["id"]]
    assert _tree(store.root / "handins" / "ana" / first["id"]) == kept
    assert first["sha256"] == third["sha256"] and first["id"] != third["id"]


def test_the_same_files_again_are_not_a_new_hand_in_and_keep_their_first_time(store):
    first = store.hand_in("ana", _files(data="v1"), now=NOON).record
    again = store.hand_in("ana", _files(data="v1"), now=DEADLINE + timedelta(days=1))
    assert again.unchanged and again.record == first and not again.record["late"]
    assert len(store.history("ana")) == 1


def test_a_hand_in_after_the_deadline_is_kept_and_marked_late(store):
    store.hand_in("ana", _files(data="on time"), now=DEADLINE - timedelta(minutes=1))
    late = store.hand_in("ana", _files(data="after"), now=DEADLINE + timedelta(seconds=1)).record
    assert [r["late"] for r in store.history("ana")] == [False, True] and late["number"] == 2
    assert json.loads((store.root / "latest" / ".handins.json").read_text())["students"]["ana"]["late"] is True


def test_the_instructor_moves_the_deadline_without_changing_earlier_marks_and_can_go_back(store):
    store.hand_in("ana", _files(data="a"), now=NOON)
    store.move_deadline(NOON - timedelta(days=1))
    assert store.deadline() == (NOON - timedelta(days=1), "instructor")
    assert store.hand_in("luis", _files(data="b"), now=NOON).record["late"] is True
    assert store.history("ana")[0]["late"] is False          # marked when it arrived
    store.move_deadline(None)
    assert store.deadline() == (None, "instructor")
    store.reset_deadline()
    assert store.deadline() == (DEADLINE, "settings")
    assert Store(store.root).deadline() == (None, "none")


def test_a_store_without_a_deadline_marks_nothing_late(tmp_path):
    store = Store(tmp_path / "store")
    record = store.hand_in("ana", _files(data="a"), now=datetime(2099, 1, 1, tzinfo=timezone.utc)).record
    assert record["late"] is False and record["deadline"] is None


def test_latest_holds_each_students_latest_hand_in_and_an_index_the_grader_passes_by(store):
    store.hand_in("ana", _files(data="v1", conv2d="c"), now=NOON)
    store.hand_in("ana", _files(data="v2"), now=NOON + timedelta(minutes=5))
    store.hand_in("1042", _files(data="luis"), now=NOON)
    latest = store.root / "latest"
    assert sorted(p.name for p in latest.iterdir()) == [".handins.json", "1042", "ana"]
    assert sorted(p.name for p in (latest / "ana" / "exercises").iterdir()) == ["data.py"]   # v2 only
    assert (latest / "ana" / "exercises" / "data.py").read_text() == "v2"
    index = json.loads((latest / ".handins.json").read_text())
    assert index["deadline"] == "2026-06-30T21:59:00+00:00" and index["deadline_from"] == "settings"
    assert index["students"]["ana"]["handins"] == 2 and index["students"]["ana"]["files"] == ["exercises/data.py"]
    assert index["students"]["1042"]["number"] == 1


def test_kata_dev_grade_reads_latest_as_a_folder_per_student_class_with_the_hub_usernames_as_ids(store):
    from kata import manifest
    from kata_dev.grader import submissions

    store.hand_in("ana", _files(data="def one_hot(labels):\n    return labels\n"), now=NOON)
    store.hand_in("3f2a9c1e-7b4d-4e8a-9c1f-0a1b2c3d4e5f", _files(data="x = 1\n"), now=NOON)
    wanted = [step.filename for step in manifest.steps(ROOT)]
    found, _ = submissions.discover(store.root / "latest", wanted)
    assert [(s.student, s.lms, s.problem) for s in found] == [
        ("3f2a9c1e-7b4d-4e8a-9c1f-0a1b2c3d4e5f", "folder", ""), ("ana", "folder", "")]
    assert found[1].modules == {"data.py": b"def one_hot(labels):\n    return labels\n"}
    assert all(not s.extra_files for s in found)


PATH_TRICKS = ["../luis/exercises/data.py", "exercises/../../luis/data.py", "/etc/passwd", "exercises/sub/data.py",
               "exercises\\data.py", "exercises/.hidden.py", "exercises/data.py\0.txt", "exercises/data.pyc",
               "exercises/conftest.txt", "data.py", "exercises/", "exercises/-x.py", "EXERCISES/data.py",
               "exercises/data.py/", "exercises/da ta.py"]


@pytest.mark.parametrize("name", PATH_TRICKS)
def test_a_file_name_other_than_exercises_module_py_is_refused_and_nothing_is_written(store, name):
    store.hand_in("luis", _files(data="luis's"), now=NOON)
    before = _tree(store.root)
    with pytest.raises(Refused) as refused:
        store.hand_in("ana", {"exercises/data.py": b"ok", name: b"evil"}, now=NOON)
    assert refused.value.reason == "file_name" and refused.value.status == 400
    assert "exercises/<module>.py" in refused.value.message.en and "exercises/<módulo>.py" in refused.value.message.es
    assert _tree(store.root) == before and store.history("ana") == []


@pytest.mark.parametrize("student", ["..", ".", "../luis", "ana/../luis", "", "Ana", "a" * 101, "latest/../x", "-x"])
def test_a_username_that_cannot_name_a_folder_is_refused(store, student):
    with pytest.raises(Refused) as refused:
        store.hand_in(student, _files(data="x"), now=NOON)
    assert refused.value.reason == "username"
    assert [p.name for p in (store.root / "handins").iterdir()] == []


def test_sizes_and_counts_beyond_the_limits_are_refused_with_the_numbers(store):
    cases = {
        "file_too_large": {"exercises/data.py": b"#" * (handin_store.MAX_FILE_BYTES + 1)},
        "too_large": {f"exercises/m{i}.py": b"#" * 900_000 for i in range(3)},
        "too_many_files": {f"exercises/m{i}.py": b"x" for i in range(handin_store.MAX_FILES + 1)},
        "empty": {},
    }
    for reason, files in cases.items():
        with pytest.raises(Refused) as refused:
            store.hand_in("ana", files, now=NOON)
        assert refused.value.reason == reason
    assert store.history("ana") == [] and _tree(store.root) == {}
    with pytest.raises(Refused) as refused:
        store.hand_in("ana", cases["file_too_large"], now=NOON)
    assert "1 MB" in refused.value.message.en and "exercises/data.py" in refused.value.message.es


def test_after_the_most_hand_ins_a_student_may_make_the_next_is_refused_and_the_last_kept(store, monkeypatch):
    monkeypatch.setattr(handin_store, "MAX_HANDINS", 3)
    for n in range(3):
        store.hand_in("ana", _files(data=f"v{n}"), now=NOON + timedelta(minutes=n))
    with pytest.raises(Refused) as refused:
        store.hand_in("ana", _files(data="v3"), now=NOON + timedelta(minutes=9))
    assert refused.value.reason == "too_many_handins" and "tell your instructor" in refused.value.message.en
    assert (store.root / "latest" / "ana" / "exercises" / "data.py").read_text() == "v2"
    assert store.hand_in("ana", _files(data="v2"), now=NOON).unchanged          # repeating the last is no new one


def test_a_link_planted_where_a_hand_in_would_go_is_never_written_through(store, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    home = store.root / "handins" / "ana"
    home.mkdir(parents=True)
    stamp = f"20260601T120000.000000Z-{handin_store.fingerprint(_files(data='x'))[:12]}"
    (home / stamp).symlink_to(tmp_path)                # the folder the hand-in would be renamed to
    with pytest.raises(OSError):
        store.hand_in("ana", _files(data="x"), now=NOON)
    assert victim.read_text() == "untouched" and sorted(p.name for p in tmp_path.iterdir()) == ["store", "victim.txt"]


def test_tidy_removes_what_a_crash_left_half_written_and_remakes_latest(store):
    record = store.hand_in("ana", _files(data="kept"), now=NOON).record
    (store.root / "handins" / "ana" / ".incoming-dead").mkdir()
    (store.root / "handins" / "ana" / ".incoming-dead" / "manifest.json").write_text("{")
    (store.root / "latest" / ".new-ana-dead").mkdir()
    (store.root / "latest" / "ana" / "exercises" / "data.py").write_text("damaged")
    store.tidy()
    assert [r["id"] for r in store.history("ana")] == [record["id"]]
    assert not any(p.name.startswith((".incoming", ".new")) for p in store.root.rglob("*"))
    assert (store.root / "latest" / "ana" / "exercises" / "data.py").read_text() == "kept"


def test_the_deadline_must_say_its_time_zone():
    assert handin_store.parse_deadline("2026-06-30T23:59+02:00") == DEADLINE
    assert handin_store.parse_deadline("2026-06-30T21:59Z") == DEADLINE
    for text in ("2026-06-30 23:59", "mañana", ""):
        with pytest.raises(ValueError, match="2026-06-30T23:59\\+02:00"):
            handin_store.parse_deadline(text)

