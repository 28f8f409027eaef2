"""The step suites catch mistakes: every mutant is rejected by its step's tests.

Layout of mutants and alternatives (shared by every step):

    tests/project/mutants/<step_id>/<short_name>.py
    tests/project/alternatives/<step_id>/<short_name>.py

- `<step_id>` is a step `id` from kata/steps.toml (e.g. `keras_model`), not its module name.
- Each file stands for ONE replacement of that step's module (`solutions/<module>.py`, e.g.
  `keras_cnn.py` for keras_model): either the whole module (same functions, same signatures),
  or a docstring and `EDITS = [(old, new), ...]`, text replacements applied to the reference
  module without its solution markers, each `old` matching exactly once — the short form for a
  mistake of a line or two in a long module, which also follows later changes of the solution.
  With `BASE = "<other file>.py"` the edits apply to another variant of the same folder instead
  (a corpus pattern that differs from another by a line or two).
  It becomes `<module>.py` in a temporary copy of `solutions/`, and the step's suite
  `tests/steps/test_<step_id>.py` runs against that folder (`--impl <folder>`).
- The docstring's first line says the mistake (mutants: "Uses padding='VALID'.") or the other
  valid way (alternatives: "tf.nn.convolution instead of tf.nn.conv2d.").
- A mutant must make at least one test of its step fail (a failure, not a collection error);
  an alternative must pass the whole suite. Every step has at least 3 mutants and 1 alternative
  (`kata dev check` says so, see tests/project/test_devcheck.py).
- Files whose name starts with "_" are ignored (helpers, drafts).

All mutants run in one child process (see kata_dev/proof.py); each stops at its first failure.
"""

import pytest

from kata_dev import proof

MUTANTS = proof.variants("mutants")

@pytest.mark.parametrize("mutant", MUTANTS, ids=[v.name for v in MUTANTS])
def test_mutant_says_its_mistake_in_the_first_docstring_line(mutant):
    assert mutant.idea, f"{mutant.path}: start the file with a docstring whose first line names the mistake"


@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS, ids=[v.name for v in MUTANTS])
def test_mutant_is_rejected_by_its_step_suite(mutant):
    problem = proof.mutant_problem(mutant, proof.variant_results("mutants").result(mutant.name))
    assert problem is None, problem


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_edits_still_fit_the_reference_solution(mutant):
    source = proof.variant_source(mutant)   # raises, naming the edit, when an `old` no longer matches once
    compile(source, str(mutant.path), "exec")
