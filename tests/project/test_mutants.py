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
  It becomes `<module>.py` in a temporary copy of `solutions/`, and the step's suite
  `tests/steps/test_<step_id>.py` runs against that folder (`--impl <folder>`).
- The docstring's first line says the mistake (mutants: "Uses padding='VALID'.") or the other
  valid way (alternatives: "tf.nn.convolution instead of tf.nn.conv2d.").
- A mutant must make at least one test of its step fail (a failure, not a collection error);
  an alternative must pass the whole suite. Every step has at least 3 mutants and 1 alternative.
- Files whose name starts with "_" are ignored (helpers, drafts).

All mutants run in one child process (see proof_support.py); each stops at its first failure.
"""

import pytest

import proof_support as proof
from kata import manifest

MUTANTS = proof.variants("mutants")
MIN_MUTANTS = 3


@pytest.mark.parametrize("step", [s.id for s in manifest.steps(proof.ROOT)])
def test_every_step_has_at_least_three_mutants(step):
    found = [v.path.name for v in MUTANTS if v.step_id == step]
    assert len(found) >= MIN_MUTANTS, (
        f"step {step!r} has {len(found)} mutant(s) {found}; add at least {MIN_MUTANTS} "
        f"to tests/project/mutants/{step}/ (one file per mistake, see this module's docstring)")


def test_every_mutant_folder_names_a_step_of_the_manifest():
    ids = {s.id for s in manifest.steps(proof.ROOT)}
    strays = sorted({v.step_id for v in MUTANTS} - ids)
    assert not strays, f"tests/project/mutants/ has folders that are no step id: {strays}; known ids: {sorted(ids)}"


@pytest.mark.parametrize("mutant", MUTANTS, ids=[v.name for v in MUTANTS])
def test_mutant_says_its_mistake_in_the_first_docstring_line(mutant):
    assert mutant.idea, f"{mutant.path}: start the file with a docstring whose first line names the mistake"


@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS, ids=[v.name for v in MUTANTS])
def test_mutant_is_rejected_by_its_step_suite(mutant):
    result = proof.variant_results("mutants").result(mutant.name)
    report = proof.describe(result)
    assert not result["collect_errors"], f"{mutant.name}: the suite did not even collect:\n{report}"
    assert result["tests"], f"{mutant.name}: no test ran:\n{report}"
    failed = [t for t in result["tests"] if t["status"] in ("failed", "error")]
    assert failed, f"{mutant.name} ({mutant.idea}) survived: every test passed:\n{report}"
    assert failed[0]["message"].strip(), f"{mutant.name}: the failing test gave no message:\n{report}"


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_edits_still_fit_the_reference_solution(mutant):
    source = proof.variant_source(mutant)   # raises, naming the edit, when an `old` no longer matches once
    compile(source, str(mutant.path), "exec")
