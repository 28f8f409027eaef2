"""The README of the student bundle: generated from the manifest, with no dead link and nothing
that only an instructor or a maintainer can run."""

import argparse
import importlib
import re
from pathlib import Path

import pytest

from kata import manifest
from kata.cli import COMMAND_MODULES
from kata_dev.devcheck import readme_step_rows
from kata_dev.release import release
from kata_dev.student_readme import FASHION_MNIST, readme

REPO = Path(__file__).resolve().parents[2]
INSTRUCTOR_ONLY = [r"\bkata dev\b", r"--impl\b", r"\bsolutions/", r"tests/project", r"tests/hidden", r"\bcourse/",
                   r"kata_dev", r"generate_assignment", r"\bautograde\b", r"generate_feedback", r"docs/grading",
                   r"Instructor guide", r"Maintainer", r"\.ci/", r"docker/lock", r"requirements\.lock"]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    return release(tmp_path_factory.mktemp("release") / "bundle").out


@pytest.fixture(scope="module")
def text(bundle) -> str:
    return (bundle / "README.md").read_text(encoding="utf-8")


def test_the_bundle_carries_the_generated_student_readme_not_the_maintainers(bundle, text):
    assert text == readme(REPO)
    assert text != (REPO / "README.md").read_text(encoding="utf-8")


def test_every_link_of_the_readme_leads_to_a_file_of_the_bundle(bundle, text):
    links = LINK.findall(text)
    assert links, "the README links to the notebooks at least"
    for target in links:
        if target.startswith("http"):
            assert target == FASHION_MNIST, f"{target}: an outside link that no test can check"
            continue
        path = target.split("#", 1)[0]
        assert (bundle / path).exists(), f"README.md links to {target}, which the bundle lacks"


def test_the_readme_holds_no_instructor_or_maintainer_matter(text):
    found = [pattern for pattern in INSTRUCTOR_ONLY if re.search(pattern, text)]
    assert not found, f"the student README mentions {found}"


def test_every_kata_command_it_names_is_one_the_bundle_has(text):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    named = set(re.findall(r"`kata (\w+)", text))
    assert named and named <= set(sub.choices), named - set(sub.choices)


def test_its_step_table_is_the_manifests_and_it_says_how_to_hand_in(text):
    assert readme_step_rows(text) == [(s.number, s.id, s.filename) for s in manifest.steps(REPO)]
    assert "python -m zipfile -c entrega.zip exercises" in text
    assert "Entregar · Handing in" in text and text.index("## Empezar") < text.index("## Entregar")


def test_it_lists_the_glossary_so_a_learner_can_look_up_each_word(text):
    from kata import manifest

    for term in manifest.glossary(REPO):
        assert f"| {term['es']} | *{term['en']}* |" in text
