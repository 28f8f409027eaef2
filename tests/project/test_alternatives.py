"""The step suites accept other correct answers: every alternative passes its whole suite.

Alternatives follow the layout documented in test_mutants.py:
`tests/project/alternatives/<step_id>/<short_name>.py`, a complete replacement of the step's module
whose docstring's first line names the other valid way.
"""

import pytest

from kata_dev import proof

ALTERNATIVES = proof.variants("alternatives")


@pytest.mark.parametrize("alternative", ALTERNATIVES, ids=[v.name for v in ALTERNATIVES])
def test_alternative_says_its_way_in_the_first_docstring_line(alternative):
    assert alternative.idea, f"{alternative.path}: start the file with a docstring naming the other way"


@pytest.mark.slow
@pytest.mark.parametrize("alternative", ALTERNATIVES, ids=[v.name for v in ALTERNATIVES])
def test_alternative_passes_its_whole_step_suite(alternative):
    problem = proof.alternative_problem(alternative, proof.variant_results("alternatives").result(alternative.name))
    assert problem is None, problem
