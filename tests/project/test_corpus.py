"""Real-world patterns: each step written the way public code writes it, judged as a learner would be.

Each module under `tests/project/corpus/<step id>/` is our own code that does a step the way a
public source does it — the course's own notebook, TensorFlow-Examples, keras-io, TensorFlow's
tutorials, textbooks, course repositories — with the same API choices and the same mistakes, adapted
only to the kata's signatures. Its docstring names where the pattern occurs; its `EXPECT` is None for
a correct way (it must pass the whole suite) or a phrase that the first message a learner reads must
hold (the mistake that is really theirs). The research behind them, with quotes and commits, is in
each docstring; no source's code is copied.
"""

import re

import pytest

from kata import manifest
from kata_dev import proof

CASES = proof.variants("corpus")
SOURCE = re.compile(r"\b[\w.-]+/[\w.-]+\b|\bseed\b|ejercicio_03", re.IGNORECASE)


def test_the_corpus_has_at_least_twenty_cases_across_all_ten_steps():
    steps = {s.id for s in manifest.steps(proof.ROOT)}
    assert len(CASES) >= 20
    assert {case.step_id for case in CASES} == steps


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_case_says_where_its_pattern_occurs_and_what_it_should_get(case):
    assert SOURCE.search(case.idea), f"{case.path}: the docstring's first line must name its source (owner/repo file)"
    proof.expected_phrase(case)


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_case_gets_the_verdict_and_the_first_message_it_deserves(case):
    problem = proof.corpus_problem(case, proof.variant_results("corpus").result(case.name))
    assert problem is None, problem
