"""The grader attacked as a cheating student would, with real submissions and the real `kata dev grade`.

The tiny kata's hostile class (`conftest.graded_class`, graded once, two at a time) holds one
attacker per attack; the hostile code sits in beta, so the honest grade of every attacker is 4 of 6.
Each test asserts that grade, and that the attack left nothing behind: the other students' grades,
the submissions, the grader's files and installed packages unchanged, the outputs written only by
the grader, no process left running. A second class attacks the real kata, where a step's worker
holds the references of the earlier steps it uses, and the judge rebuilds Keras models.
"""

import os
import site
import subprocess
import sys
from pathlib import Path

import pytest

from kata.paths import PACKAGE_ROOT
from support import attacks
from support.tiny_kata import SOLUTIONS, read_csv, result_of
from support.trees import MARK, leftovers, tree_digest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(subprocess.run(["which", "bwrap"], capture_output=True).returncode != 0,
                                reason="apt-get install bubblewrap (the sandbox)")

ATTACKERS = ["borrower", "bender", "equals_everything", "launderer", "stub_mimic", "forger", "escaper",
             "vandal", "flooder", "axes_flood", "shm_hog", "memory_gang", "fork_bomb", "userns", "split_steps",
             *attacks.LEAKS]


def grades(graded) -> dict:
    return read_csv(graded["out"] / "grades.csv")


def feedback(graded, student) -> str:
    return (graded["out"] / "feedback" / f"{student}.md").read_text()


def details(graded, student, step="beta") -> str:
    """Everything the instructor's results keep of a step's failures (the full messages)."""
    result = result_of(graded["out"], student)
    return "\n".join(t.get("detail", "") + t.get("message", "") for t in result["tests"] if t["step"] == step)


def windows(text: str, size: int = 8) -> set:
    return {text[i:i + size] for i in range(len(text) - size + 1)}


def test_the_class_is_graded_to_the_end_and_each_unreadable_hand_in_is_its_own_row(graded_class):
    rows = grades(graded_class)
    assert set(rows) >= {"honest", "victim", "choker", "deep", "with_venv", "many_files", *ATTACKERS,
                         *attacks.BROKEN}, graded_class["log"]
    # Unreadable hand-ins end the run with status 1, named, after everyone else was graded.
    assert graded_class["returncode"] == 1, graded_class["log"]
    for student in ("truncated", "locked", "corrupt_zip", "corrupt_xz"):
        assert rows[student]["problem"], rows[student]
        assert student in graded_class["log"].split("could not be read")[-1]


@pytest.mark.parametrize("student", ATTACKERS)
def test_an_attack_earns_nothing_for_the_step_it_attacks_and_costs_nothing_else(graded_class, student):
    row = grades(graded_class)[student]
    assert (row["alpha"], row["beta"], row["gamma"], row["score"]) == ("1", "0", "3", "4"), row


def test_the_honest_and_the_victim_keep_their_full_marks(graded_class):
    rows = grades(graded_class)
    assert rows["honest"]["score"] == rows["victim"]["score"] == "6"
    assert "owned" not in feedback(graded_class, "victim")


def test_submissions_grader_files_and_installed_packages_are_untouched(graded_class):
    before = graded_class["before"]
    assert tree_digest(graded_class["subs"]) == before["subs"]
    assert tree_digest(PACKAGE_ROOT / "kata_dev") == before["grader"]
    assert tree_digest(PACKAGE_ROOT / "kata") == before["kata"]
    assert sorted(os.listdir(site.getsitepackages()[0])) == before["packages"]
    assert not Path(f"/tmp/escaped-{MARK}").exists()


def test_the_outputs_are_the_graders_own_and_nothing_changes_them_after_grading(graded_class):
    assert tree_digest(graded_class["out"]) == graded_class["outputs"]
    assert "owned" not in (graded_class["out"] / "grades.csv").read_text()


def test_nothing_an_attack_started_is_still_running(graded_class):
    assert leftovers() == []


def test_choking_discovery_costs_only_the_choker(graded_class):
    rows = grades(graded_class)
    assert rows["choker"]["beta"] == "0" and rows["choker"]["alpha"] == "1", rows["choker"]
    assert rows["deep"]["score"] == "6"
    assert rows["with_venv"]["score"] == "6", result_of(graded_class["out"], "with_venv")["notes"]
    assert rows["many_files"]["score"] == "6"
    assert any("not a regular file" in note for note in result_of(graded_class["out"], "choker")["notes"])


@pytest.mark.parametrize("student, why", [
    ("truncated", "cannot be read"), ("locked", "encrypted"), ("corrupt_zip", "BadZipFile"),
    ("corrupt_xz", "cannot be read"), ("null_cell", "source is not text")])
def test_a_broken_hand_in_is_a_row_with_its_reason_and_its_feedback_asks_for_a_new_one(graded_class, student, why):
    result = result_of(graded_class["out"], student)
    assert any(why in note for note in result["notes"]), result["notes"]
    if student != "null_cell":       # its one good cell is not a whole step: nothing graded, nothing broken
        assert "could not be read" in feedback(graded_class, student)


def test_an_archive_is_read_in_one_pass_whatever_it_holds(graded_class, monkeypatch):
    """A .tar of 2,000 one-line modules took 108 s when each member opened the archive again."""
    import tarfile

    from kata_dev.grader import submissions

    opened = []
    real_open = tarfile.open
    monkeypatch.setattr(tarfile, "open", lambda *a, **k: opened.append(a) or real_open(*a, **k))
    subs = graded_class["subs"]
    folder = subs.parent / "one_archive"
    folder.mkdir(exist_ok=True)
    os.link(subs / "many_files.tar", folder / "many_files.tar")
    (found,), _ = submissions.discover(folder, list(SOLUTIONS), set())
    assert sorted(found.modules) == sorted(SOLUTIONS) and len(opened) == 1


# --------------------------------------------------------------------------- no reference leaks


def test_the_feedback_holds_no_line_of_the_reference_nor_any_of_its_encodings(graded_class):
    secret = attacks.payload(SOLUTIONS["alpha.py"])
    reference = [line.strip() for line in SOLUTIONS["alpha.py"].splitlines() if len(line.strip()) >= 12]
    for student in attacks.LEAKS:
        text = feedback(graded_class, student)
        assert not windows(secret) & windows(text), (student, text)
        assert not any(line in text for line in reference), (student, text)
    # The attacks did find and send the reference: the instructor's results hold what they sent.
    for student in ("leak_message", "leak_class", "leak_frames", "leak_exit", "leak_abort"):
        assert secret[:40] in details(graded_class, student), student


def test_the_feedback_names_what_the_code_raised_and_where_but_withholds_what_it_wrote(graded_class):
    text = feedback(graded_class, "leak_message")
    assert "raised ValueError" in text and "exercises/beta.py:" in text and "kata check" in text


def test_the_instructor_sees_what_each_attack_tried_and_the_student_does_not(graded_class):
    stopped = " ".join(result_of(graded_class["out"], "vandal")["attempts"]["stopped"])
    assert "victim" in stopped and ".pth" in stopped, stopped
    assert "os.fork" in " ".join(result_of(graded_class["out"], "escaper")["attempts"]["stopped"])
    for student in ("vandal", "escaper"):
        text = feedback(graded_class, student)
        assert "attempt" not in text.lower() and "open(" not in text


# --------------------------------------------------------------------------- a bounded judge and sandbox


def test_a_reply_larger_than_its_request_warrants_is_refused_before_the_judge_reads_it(graded_class):
    result = result_of(graded_class["out"], "flooder")
    assert [f["kind"] for f in result["faults"]] == ["protocol"]
    assert result["peak_mb"]["judge_peak_mb"] < 1000, result["peak_mb"]     # it received 320 MB before


def test_a_figure_with_hundreds_of_axes_is_refused_instead_of_redrawn(graded_class):
    assert "more than 64 Axes" in details(graded_class, "axes_flood")


def test_each_step_runs_in_a_worker_of_its_own(graded_class):
    rows = grades(graded_class)
    assert rows["split_steps"]["alpha"] == "1" and rows["split_steps"]["beta"] == "0"
    assert "NameError" in details(graded_class, "split_steps")


def test_dev_shm_is_a_small_private_tmpfs(graded_class):
    text = details(graded_class, "shm_hog")
    written = int(text.split("/dev/shm took ")[1].split(" MB")[0])
    assert written <= 64, text


def test_the_sandbox_memory_is_bounded_for_all_its_processes_together(graded_class):
    from kata.worker import cgroups

    if not cgroups.available()[0]:
        pytest.skip(f"no cgroup here: {cgroups.available()[1]}")
    result = result_of(graded_class["out"], "memory_gang")
    text = details(graded_class, "memory_gang")
    assert "-9" in text or any(f["kind"] == "memory" for f in result["faults"]), text


def test_the_sandbox_process_count_is_bounded(graded_class):
    from kata.worker import cgroups

    if not cgroups.available()[0]:
        pytest.skip(f"no cgroup here: {cgroups.available()[1]}")
    text = details(graded_class, "fork_bomb")
    assert int(text.split("started ")[1].split(" processes")[0]) < 256, text


def test_no_user_namespace_can_be_made_inside_the_sandbox(graded_class):
    assert "returned -1" in details(graded_class, "userns")


def test_the_sandboxes_run_as_an_unprivileged_user_even_when_the_grader_is_root(tmp_path):
    """A sandbox made by root maps its uid to host root; the grader's sandboxes never do."""
    from kata.judging.limits import GRADING
    from kata.worker import process
    from kata_dev.grader import runner

    impl = tmp_path / "impl"
    impl.mkdir()
    runner._readable_by_all(tmp_path)
    host = process.ForkHost(runner._zygote_command(REPO, impl, GRADING, (), None))
    try:
        worker = host.worker()
        tree = _descendants(host.process.pid)
        uids = {pid: _uid(pid) for pid in tree}
        workers = [pid for pid in tree if "--zygote" in _cmdline(pid) and "bwrap" not in _cmdline(pid)]
        assert len(workers) == 2, uids                        # the zygote and the worker it forked
        expected = 65534 if os.geteuid() == 0 else os.getuid()
        assert all(uids[pid] == expected for pid in workers), uids
        worker.close()
    finally:
        host.close()


def _descendants(pid: int) -> list:
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, []))
    return found


def _uid(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(f"no Uid line for {pid}")


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")


def test_grading_refuses_without_a_sandbox_unless_told_and_then_says_so(tmp_path):
    from support.tiny_kata import TIMEOUT, add_student, make_kata

    root = make_kata(tmp_path / "kata")
    subs = tmp_path / "subs"
    add_student(subs, "ana")
    env = {**os.environ, "KATA_ROOT": str(root), "KATA_LANG": "en", "PATH": "/nonexistent"}
    base = [sys.executable, "-m", "kata", "dev", "grade", str(subs)]
    refused = subprocess.run([*base, str(tmp_path / "out1"), "--timeout-test", str(TIMEOUT)], env=env,
                             capture_output=True, text=True, timeout=300)
    assert refused.returncode == 2 and "bubblewrap" in refused.stderr and "--no-sandbox" in refused.stderr
    assert not (tmp_path / "out1" / "grades.csv").exists()
    allowed = subprocess.run([*base, str(tmp_path / "out2"), "--no-sandbox", "--timeout-test", str(TIMEOUT)],
                             env=env, capture_output=True, text=True, timeout=300)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert read_csv(tmp_path / "out2" / "grades.csv")["ana"]["score"] == "6"
    assert "without a sandbox" in (tmp_path / "out2" / "feedback" / "ana.md").read_text()


# ------------------------------------------------------------------------------ the real kata


@pytest.fixture(scope="module")
def real_class(tmp_path_factory):
    base = tmp_path_factory.mktemp("real")
    subs, out, marker = base / "subs", base / "out", base / "owned-marker"
    for student, files in attacks.real_attacks(subs, marker).items():
        (subs / student).mkdir(parents=True)
        for name, code in files.items():
            (subs / student / name).write_text(code)
    attacks.saved_model_trap(subs / "compile_attacker" / "saved", marker)
    before = sorted(os.listdir(site.getsitepackages()[0]))
    done = subprocess.run([sys.executable, "-m", "kata", "dev", "grade", str(subs), str(out), "-j", "2", "--steps",
                           "data", "conv2d", "maxpool2d", "generate_network", "keras_model", "keras_train",
                           "--lang", "en"], cwd=REPO, env={**os.environ, "KATA_LANG": "en"},
                          capture_output=True, text=True, timeout=1500)
    # Six steps only: a partial run, which writes its own folder (steps.csv, results/, feedback/) under OUT.
    partial = out / "partial" / "data+conv2d+maxpool2d+generate_network+keras_model+keras_train"
    return {"out": partial, "run": done, "marker": marker, "packages": before}


@pytest.mark.slow
def test_the_real_kata_cannot_be_bent_borrowed_from_or_leaked(real_class):
    done, out = real_class["run"], real_class["out"]
    assert done.returncode == 0, done.stdout + done.stderr
    rows = read_csv(out / "steps.csv")
    assert rows["real_bender"]["conv2d"] == "0" and rows["real_borrower"]["generate_network"] == "0", rows
    borrowed = details({"out": out}, "real_borrower", "generate_network")
    # Only the references generate_network uses are there, in memory only: no file, no source text.
    assert "present: ['conv2d', 'fully_connected', 'maxpool2d'] files: ['impl', 'runtime'] source: " \
           "TypeError" in borrowed, borrowed
    text = (out / "feedback" / "real_leaker.md").read_text()
    for name in ("conv2d.py", "maxpool2d.py", "fully_connected.py"):
        source = (REPO / "solutions" / name).read_text()
        assert not windows(attacks.payload(source)) & windows(text), name
        for line in source.splitlines():
            if len(line.strip()) >= 12 and not line.strip().startswith("#"):
                assert line.strip() not in text, line


@pytest.mark.slow
def test_the_judge_builds_nothing_a_submission_names(real_class):
    out = real_class["out"]
    rows = read_csv(out / "steps.csv")
    assert rows["compile_attacker"]["keras_train"] == "0" and rows["model_attacker"]["keras_model"] == "0", rows
    assert not real_class["marker"].exists(), "the judge loaded the hand-in's SavedModel"
    assert "TFSMLayer" in details({"out": out}, "model_attacker", "keras_model")
    assert sorted(os.listdir(site.getsitepackages()[0])) == real_class["packages"]


@pytest.mark.slow
def test_one_steps_import_cannot_change_another_steps_verdict_in_the_real_kata(real_class):
    assert read_csv(real_class["out"] / "steps.csv")["real_split_steps"]["maxpool2d"] == "0"
