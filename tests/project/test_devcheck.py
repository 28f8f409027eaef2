"""`kata dev check`: the kata is whole, and the check notices each way it can stop being whole."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kata_dev import devcheck

ROOT = Path(__file__).resolve().parents[2]
COPIED = ("kata", "kata_dev", "course", "solutions", "exercises", "notebooks", "tests/steps", "tests/hidden",
          "tests/project/mutants", "tests/project/alternatives", "README.md", "pyproject.toml", "conftest.py")


def test_the_kata_is_whole():
    assert devcheck.problems(ROOT) == []


@pytest.fixture
def copy(tmp_path) -> Path:
    for rel in COPIED:
        source, target = ROOT / rel, tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        else:
            shutil.copy2(source, target)
    assert devcheck.problems(tmp_path) == [], "the copy should start whole"
    return tmp_path


def test_a_step_with_too_few_mutants_is_named(copy):
    for path in sorted((copy / "tests/project/mutants/maxpool2d").glob("*.py"))[2:]:
        path.unlink()
    assert any("step 'maxpool2d': 2 mutants" in p for p in devcheck.problems(copy))


def test_a_stray_solution_a_stray_suite_and_an_unknown_mutant_folder_are_named(copy):
    (copy / "solutions" / "dropout.py").write_text("x = 1\n")
    (copy / "tests/steps/test_dropout.py").write_text("def test_x():\n    pass\n")
    (copy / "tests/project/alternatives/dropout").mkdir()
    found = "\n".join(devcheck.problems(copy))
    assert "solutions/dropout.py belongs to no step" in found
    assert "tests/steps/test_dropout.py names no step" in found
    assert "tests/project/alternatives/dropout/ names no step id" in found


def test_a_stub_edited_by_hand_is_named(copy):
    with open(copy / "exercises" / "conv2d.py", "a", encoding="utf-8") as handle:
        handle.write("# edited by hand\n")
    assert "exercises/conv2d.py is out of date: run `kata dev build`" in devcheck.problems(copy)


def test_a_missing_lesson_is_named(copy):
    (copy / "kata" / "lessons" / "train.md").unlink()
    assert any(p.startswith("step 'train': its lesson") for p in devcheck.problems(copy))


def _replace_in_manifest(copy, old, new):
    manifest = copy / "kata" / "steps.toml"
    text = manifest.read_text(encoding="utf-8")
    assert old in text
    manifest.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_first_hint_that_names_the_api_or_writes_the_call_is_named(copy):
    _replace_in_manifest(copy, '"Max pooling se queda con el valor mayor',
                         '"Usa tf.nn.max_pool2d(x, ksize=k, strides=k). Max pooling se queda con el valor mayor')
    found = "\n".join(devcheck.problems(copy))
    assert "step 'maxpool2d', es hint 1 writes the call 'tf.nn.max_pool2d(x, ksize=k, strides=k)'" in found
    assert "step 'maxpool2d', es hint 1 names the API (tf.nn.max_pool2d)" in found


def test_a_last_hint_that_writes_no_code_is_named(copy):
    _replace_in_manifest(copy, '"return tf.nn.max_pool2d(x, ksize=k, strides=k, padding=\'SAME\')."',
                         '"Piensa en el tamaño de la ventana."')
    assert "step 'maxpool2d', es hint 3 writes no call; show the shape of the code, e.g. tf.nn.relu(x)" \
        in devcheck.problems(copy)


def test_a_readme_step_table_that_disagrees_with_the_manifest_is_named(copy):
    readme = copy / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace("| 4 | `maxpool2d`", "| 4 | `pooling`"),
                      encoding="utf-8")
    assert any(p.startswith("README.md: the step table") for p in devcheck.problems(copy))


def test_kata_dev_check_exits_non_zero_naming_the_problem(copy):
    (copy / "solutions" / "dropout.py").write_text("x = 1\n")
    done = subprocess.run([sys.executable, "-m", "kata", "dev", "check"], cwd=copy, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 1 and "solutions/dropout.py belongs to no step" in done.stdout, done.stdout + done.stderr


def test_the_learners_package_importing_the_instructors_is_named(copy):
    with open(copy / "kata" / "hint_extra.py", "w", encoding="utf-8") as handle:
        handle.write("from kata_dev import build\n")
    assert any("kata/hint_extra.py, line 1: the learner's package imports kata_dev" in p
               for p in devcheck.problems(copy))
