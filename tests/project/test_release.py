"""A student release installed on its own, as a student would, in a fresh virtual environment.

The bundle is installed with `pip install -e .` into a new venv. Its dependencies (TensorFlow and
the rest) come from this interpreter's site-packages, added to the venv by a `.pth` line that
adds the folder without running the `.pth` files inside it, so the instructor's editable install of
`kata` and `kata_dev` stays invisible: what runs is the bundle and nothing else. No network.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from kata import manifest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 900        # only a guard against a hung child, never a measure
DEBIAN_DATASET = Path("/usr/share/datasets/fashion-mnist")

pytestmark = pytest.mark.slow


def run(command, cwd, env, check=True):
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT_S,
                          stdin=subprocess.DEVNULL)
    if check:
        assert done.returncode == 0, f"{' '.join(map(str, command))} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(bundle folder, environment whose PATH starts with the venv's bin/) after `pip install -e .`."""
    base = tmp_path_factory.mktemp("release")
    bundle, venv = base / "cnn-kata", base / "venv"
    env = {k: v for k, v in os.environ.items() if k not in ("KATA_ROOT", "PYTHONPATH", "VIRTUAL_ENV")}
    env.update(KATA_LANG="es", TF_CPP_MIN_LOG_LEVEL="2", MPLBACKEND="Agg", PIP_NO_INDEX="1",
               PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONDONTWRITEBYTECODE="1")
    run([sys.executable, "-m", "kata", "dev", "release", str(bundle)], ROOT, env)
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], base, env)
    site = Path(run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                    base, env).stdout.strip())
    (site / "_course_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    run(["python", "-m", "pip", "install", "--no-deps", "--no-build-isolation", "-e", "."], bundle, env)
    return bundle, env


def test_the_bundle_installs_alone_and_its_kata_is_the_bundles(installed):
    bundle, env = installed
    where = run(["python", "-c", "import kata, sys; print(kata.__file__)"], bundle, env).stdout.strip()
    assert Path(where).resolve().is_relative_to(bundle.resolve()), where
    missing = run(["python", "-c", "import kata_dev"], bundle, env, check=False)
    assert missing.returncode != 0 and "No module named 'kata_dev'" in missing.stderr


def test_its_help_offers_only_what_the_bundle_can_do(installed):
    bundle, env = installed
    text = run(["kata", "--help"], bundle, env).stdout
    for command in ("status", "check", "hint", "watch", "reset", "train", "compare", "lab"):
        assert command in text, text
    for instructor_only in ("dev", "grade", "release", "build", "bench"):
        assert f"    {instructor_only} " not in text, text
    assert "solutions" not in run(["kata", "check", "--help"], bundle, env).stdout
    assert "solutions" not in run(["kata", "train", "--help"], bundle, env).stdout
    refused = run(["kata", "dev", "grade", "a", "b"], bundle, env, check=False)
    assert refused.returncode == 2 and "'dev'" in refused.stderr, refused.stderr


def test_status_check_and_hint_work_in_the_bundle(installed):
    bundle, env = installed
    status = run(["kata"], bundle, env)
    assert "sin empezar" in status.stdout and "Siguiente: data" in status.stdout, status.stdout
    check = run(["kata", "check", "conv2d"], bundle, env, check=False)
    assert check.returncode == 1 and "aún sin implementar: completa exercises/conv2d.py" in check.stdout, check.stdout
    hint = run(["kata", "hint", "conv2d"], bundle, env)
    assert manifest.get("conv2d", ROOT).hints("es")[0] in hint.stdout, hint.stdout


def test_the_bundles_own_tests_fail_on_its_stubs(installed):
    bundle, env = installed
    done = run(["python", "-m", "pytest", "-q", "-m", "maxpool2d"], bundle, env, check=False)
    assert done.returncode == 1 and "aún sin implementar" in done.stdout + done.stderr, done.stdout[-2000:]


@pytest.mark.skipif(not DEBIAN_DATASET.is_dir(), reason="apt-get install dataset-fashion-mnist (the real data)")
def test_a_student_who_finished_trains_in_the_bundle(installed, tmp_path):
    bundle, env = installed
    work = tmp_path / "copy"
    shutil.copytree(bundle, work, ignore=shutil.ignore_patterns(".kata", "runs"))
    for step in manifest.steps(ROOT):
        shutil.copy2(ROOT / "solutions" / step.filename, work / "exercises" / step.filename)
    out = tmp_path / "run"
    done = run(["kata", "train", "--epochs", "1", "--limit", "600", "--seed", "0", "--out", str(out)],
               work, {**env, "KATA_ROOT": str(work)})
    assert (out / "metrics.json").is_file() and (out / "loss.png").is_file(), done.stdout
    assert "Exactitud en test" in done.stdout, done.stdout
