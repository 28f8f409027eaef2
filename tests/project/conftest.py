"""What the kata's own tests share, once per session: one hostile class of the tiny kata graded by
the real `kata dev grade` (test_grader.py and test_red_team.py read its outputs), and a Docker
engine with the base image (the container test and the class server's)."""

import os
import shutil
import site
import time
import zipfile
from pathlib import Path

import pytest

from kata.paths import PACKAGE_ROOT
from support import attacks, tiny_kata as tiny
from support.trees import tree_digest, unnest


def _hostile(subs: Path, out: Path) -> None:
    """Faults and cheats of the grader's own tests: each fault must cost only its step."""
    tiny.add_student(subs, "honest")
    for student, code in tiny.HOSTILE.items():
        tiny.add_student(subs, student, beta=code)
    tiny.add_student(subs, "chatty", beta=tiny.beta("print('y' * 2**20)"))
    tiny.add_student(subs, "no_beta", beta=None)
    cheater = tiny.add_student(subs, "cheater", beta="def triple(x):\n    return 0\n")
    (cheater / "conftest.py").write_text("import pytest\n@pytest.hookimpl(tryfirst=True)\n"
                                         "def pytest_runtest_call(item):\n    return True\n")
    (cheater / "pytest.ini").write_text("[pytest]\naddopts = -p no:python\n")
    (cheater / "sitecustomize.py").write_text("raise SystemExit('owned')\n")
    (cheater / "tests" / "steps").mkdir(parents=True)
    (cheater / "tests" / "steps" / "test_beta.py").write_text("def test_nothing():\n    pass\n")
    (cheater / "helper.py").write_text("x = 1\n")
    tamperer = f"""\
        out = {str(out)!r}
        os.makedirs(os.path.join(out, "results"), exist_ok=True)
        with open(os.path.join(out, "grades.csv"), "w") as f:
            f.write("assignment,student_id,alpha,beta,gamma,score,max_score\\ncnn_kata,tamperer,1,2,3,6,6\\n")
        with open(os.path.join(out, "results", "honest.json"), "w") as f:
            f.write("{{}}")
        with open(os.path.join(out, "results", "nobody.json"), "w") as f:
            f.write("{{}}")
        return 0"""
    tiny.add_student(subs, "tamperer", beta=tiny.beta(tamperer))
    with zipfile.ZipFile(subs / "zipped.zip", "w") as archive:
        for name, text in tiny.SOLUTIONS.items():
            archive.writestr(f"kata/exercises/{name}", text)
        archive.writestr("../../escaped.py", "print('outside')\n")
        archive.writestr("/tmp/absolute.py", "print('absolute')\n")


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """One class of the tiny kata — honest students, faults, cheats, every red-team attack and every
    entry that once choked discovery — graded two at a time by `kata dev grade`, as an instructor runs
    it. {"root", "subs", "out", "run" (its stdout, stderr, returncode), "before" (digests of what no
    attack may change), "outputs" (the digests of OUT when grading ended)}."""
    base = tmp_path_factory.mktemp("graded")
    root = tiny.make_kata(base / "kata")
    subs, out = base / "submissions", base / "out"
    _hostile(subs, out)
    tiny.add_student(subs, "victim")
    for student, code in attacks.tiny_attacks(subs, out, root).items():
        tiny.add_student(subs, student, beta=code)
    attacks.split_steps(subs)
    deep = attacks.choking_discovery(subs)
    before = {"subs": tree_digest(subs), "grader": tree_digest(PACKAGE_ROOT / "kata_dev"),
              "kata": tree_digest(PACKAGE_ROOT / "kata"), "packages": sorted(os.listdir(site.getsitepackages()[0]))}
    done = tiny.run_cli(subs, out, root, jobs=2)
    log, _ = done.communicate(timeout=1200)
    outputs = tree_digest(out)
    yield {"root": root, "subs": subs, "out": out, "log": log.decode(), "returncode": done.returncode,
           "before": before, "outputs": outputs}
    unnest(deep)
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def docker_engine(tmp_path_factory, request):
    """A running Docker engine (started here, as root, where none runs) with the Debian base image
    (pulled, or made from Debian's packages where Docker Hub is out of reach): the compose command."""
    from support.containers import ROOT, DockerUnavailable, Engine, compose_command, run, say

    started = Engine(tmp_path_factory.mktemp("dockerd") / "dockerd.log")
    begin = time.monotonic()
    try:
        started.start()
        compose = compose_command()
    except DockerUnavailable as missing:
        pytest.skip(str(missing))
    try:
        ready = time.monotonic()
        run([ROOT / "docker" / "base-image"], timeout=900)
        say(request, f"docker: engine {'started' if started.process else 'running'} in {ready - begin:.0f} s "
                     f"({started.storage_driver()}, {' '.join(compose)}); base image in {time.monotonic() - ready:.0f} s")
        yield compose
    finally:
        started.stop()
