"""Same code, same verdicts: every suite on the solutions, every mutant and every alternative give the
same test outcomes run after run, each run in fresh processes (`kata dev check --repeat N`)."""

import os

import pytest

from kata_dev import proof

# CI compares the round the proof tests run anyway (mutants up to their first failure) with one more
# in fresh processes; `kata dev check --repeat 20` is the long version, every mutant's whole suite
# each time (see the README's measured figures). KATA_DETERMINISM_ROUNDS counts the session's round:
# 1 compares nothing.
ROUNDS = int(os.environ.get("KATA_DETERMINISM_ROUNDS", "2"))


def _run(outcome: str) -> proof.DriverRun:
    tests = [{"test": "test_shapes", "status": "passed"}, {"test": "test_values", "status": outcome}]
    return proof.DriverRun({"maxpool2d/valid_padding": {"tests": tests, "collect_errors": []}}, 0, "")


def test_a_verdict_that_changes_between_rounds_is_named(monkeypatch):
    outcomes = iter(["failed", "passed", "failed", "failed", "failed", "failed"])
    monkeypatch.setattr(proof, "drive", lambda *args, **kwargs: _run(next(outcomes)))
    found = proof.nondeterministic(2, log=lambda line: None)
    assert found == ["mutants: maxpool2d/valid_padding: the verdicts differ between runs "
                     "(2 different outcomes in 2 runs)"]


def test_verdicts_that_never_change_are_not_named(monkeypatch):
    monkeypatch.setattr(proof, "drive", lambda *args, **kwargs: _run("failed"))
    assert proof.nondeterministic(3, log=lambda line: None) == []


def test_a_round_already_run_counts_as_the_first(monkeypatch):
    monkeypatch.setattr(proof, "drive", lambda *args, **kwargs: _run("passed"))
    earlier = {name: _run("failed") for name in ("solutions", "mutants", "alternatives")}
    found = proof.nondeterministic(2, log=lambda line: None, first_round=earlier)
    assert found == ["alternatives: maxpool2d/valid_padding: the verdicts differ between runs (2 different outcomes in 2 runs)",
                     "mutants: maxpool2d/valid_padding: the verdicts differ between runs (2 different outcomes in 2 runs)",
                     "solutions: maxpool2d/valid_padding: the verdicts differ between runs (2 different outcomes in 2 runs)"]


@pytest.mark.slow
def test_solutions_mutants_and_alternatives_give_the_same_verdicts_every_round():
    found = proof.nondeterministic(ROUNDS, log=lambda line: None, first_round=proof.session_round(), stop_first=True)
    assert found == []
