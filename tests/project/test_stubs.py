"""The generated stubs are current, and every step suite fails on them with the friendly message."""

import ast

import pytest

import proof_support as proof
from kata import build, manifest
from kata.stubs import STUB_TAG

STEPS = manifest.steps(proof.ROOT)


def test_generated_files_match_what_kata_build_would_write():
    differing = build.stale(proof.ROOT)
    assert not differing, (f"these generated files are out of date: {differing}; "
                           f"run `python -m kata build` and commit the result")


@pytest.mark.parametrize("step", STEPS, ids=[s.id for s in STEPS])
def test_stub_names_its_step_and_the_file_to_fill_in(step):
    text = build.stub_for(step, proof.ROOT)
    assert f"exercises/{step.filename}" in text and f"step '{step.id}'" in text, (
        f"the stub of {step.id} should name exercises/{step.filename} and step '{step.id}':\n{text[-600:]}")


@pytest.mark.parametrize("step", STEPS, ids=[s.id for s in STEPS])
def test_stub_keeps_every_function_the_student_writes(step):
    tree = ast.parse(build.stub_for(step, proof.ROOT))
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    missing = [f for f in step.functions if f not in defined]
    assert not missing, f"exercises/{step.filename} lacks the functions {missing} listed in the manifest"


@pytest.mark.slow
@pytest.mark.parametrize("step", STEPS, ids=[s.id for s in STEPS])
def test_every_test_of_the_step_fails_on_the_stub_with_not_implemented_yet(step):
    if not proof.suite_path(step.id).is_file():
        pytest.skip(f"tests/steps/test_{step.id}.py does not exist yet")
    result = proof.suite_results("exercises").result(step.id)
    report = proof.describe(result)
    assert not result["collect_errors"] and result["tests"], f"{step.id}: the suite did not run:\n{report}"
    wrong = [t for t in result["tests"] if t["status"] != "failed" or STUB_TAG not in t["message"]
             or f"exercises/{step.filename}" not in t["message"]]
    assert not wrong, (f"{step.id}: on the stub, every test should fail with '{STUB_TAG}: fill in "
                       f"exercises/{step.filename}'; these did not:\n{proof.describe({'tests': wrong, 'collect_errors': []})}")
