"""The step suites accept other correct answers: every alternative passes its whole suite.

Alternatives follow the layout documented in test_mutants.py:
`tests/project/alternatives/<step_id>/<short_name>.py`, a complete replacement of the step's module
whose docstring's first line names the other valid way.
"""

import pytest

import proof_support as proof
from kata import manifest

ALTERNATIVES = proof.variants("alternatives")


@pytest.mark.parametrize("step", [s.id for s in manifest.steps(proof.ROOT)])
def test_every_step_has_at_least_one_alternative(step):
    found = [v for v in ALTERNATIVES if v.step_id == step]
    assert found, (f"step {step!r} has no alternative; add one correct but different solution "
                   f"to tests/project/alternatives/{step}/ (see tests/project/test_mutants.py)")


def test_every_alternative_folder_names_a_step_of_the_manifest():
    ids = {s.id for s in manifest.steps(proof.ROOT)}
    strays = sorted({v.step_id for v in ALTERNATIVES} - ids)
    assert not strays, f"tests/project/alternatives/ has folders that are no step id: {strays}; known ids: {sorted(ids)}"


@pytest.mark.parametrize("alternative", ALTERNATIVES, ids=[v.name for v in ALTERNATIVES])
def test_alternative_says_its_way_in_the_first_docstring_line(alternative):
    assert alternative.idea, f"{alternative.path}: start the file with a docstring naming the other way"


@pytest.mark.slow
@pytest.mark.parametrize("alternative", ALTERNATIVES, ids=[v.name for v in ALTERNATIVES])
def test_alternative_passes_its_whole_step_suite(alternative):
    result = proof.variant_results("alternatives").result(alternative.name)
    report = proof.describe(result)
    assert not result["collect_errors"], f"{alternative.name}: the suite did not collect:\n{report}"
    assert result["tests"], f"{alternative.name}: no test ran:\n{report}"
    not_passed = [t for t in result["tests"] if t["status"] != "passed"]
    assert not not_passed, f"{alternative.name} ({alternative.idea}) was rejected:\n{report}"
