"""The generated stubs are current, and every step suite fails on them with the friendly message."""

import ast

import pytest

from kata import manifest
from kata.stubs import stub_text
from kata_dev import proof

STEPS = manifest.steps(proof.ROOT)


@pytest.mark.parametrize("step", STEPS, ids=[s.id for s in STEPS])
def test_stub_names_its_step_and_the_file_to_fill_in(step):
    text = stub_text(step, proof.ROOT)
    assert f"exercises/{step.filename}" in text and f"step '{step.id}'" in text, (
        f"the stub of {step.id} should name exercises/{step.filename} and step '{step.id}':\n{text[-600:]}")


@pytest.mark.parametrize("step", STEPS, ids=[s.id for s in STEPS])
def test_stub_keeps_every_function_the_student_writes(step):
    tree = ast.parse(stub_text(step, proof.ROOT))
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    missing = [f for f in step.functions if f not in defined]
    assert not missing, f"exercises/{step.filename} lacks the functions {missing} listed in the manifest"


@pytest.mark.slow
@pytest.mark.parametrize("step", STEPS, ids=[s.id for s in STEPS])
def test_every_test_of_the_step_fails_on_the_stub_with_not_implemented_yet(step):
    if not proof.suite_path(step.id).is_file():
        pytest.skip(f"tests/steps/test_{step.id}.py does not exist yet")
    problem = proof.stub_problem(step, proof.suite_results("exercises").result(step.id))
    assert problem is None, problem


@pytest.mark.slow
@pytest.mark.parametrize("step", STEPS, ids=[s.id for s in STEPS])
def test_every_test_of_the_step_passes_on_the_reference_solution(step):
    problem = proof.solution_problem(step, proof.suite_results("solutions").result(step.id))
    assert problem is None, problem
