"""No learner ever reads a traceback of the tests or of a library.

Every public function of every step is replaced, in turn, by one that raises, one that returns the
wrong type and one that returns something of the wrong length; each step's whole suite runs against
each, and every failure message must be a message: what was called, what came back or was raised,
the learner's own lines — never pytest's frames, the tests' files, the kata's machinery or a
library's internals.
"""

import ast
import shutil
from pathlib import Path

import pytest

from kata import manifest
from kata.stubs import BEGIN, END
from kata_dev import proof

ROOT = Path(__file__).resolve().parents[2]
BODIES = {
    "raising": 'raise ValueError("an injected failure")',
    "wrong_type": 'return "not a result"',
    "wrong_length": "return [0.0]",
}
INTERNALS = ("Traceback", 'File "', "site-packages", "_pytest", "tests/steps/", "kata/worker", "kata/judge",
             "kata/judging", "dist-packages", "/lib/python3", "    def test_", "E   ")


def injected(step, function: str, body: str) -> str:
    """The reference module of `step` with `function`'s body replaced by `body`."""
    source = "".join(line for line in (ROOT / "solutions" / step.filename).read_text(encoding="utf-8")
                     .splitlines(keepends=True) if not line.strip().startswith((BEGIN, END)))
    lines = source.splitlines(keepends=True)
    node = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == function)
    start = node.body[0].lineno - 1
    if isinstance(node.body[0], ast.Expr) and isinstance(getattr(node.body[0], "value", None), ast.Constant):
        start = node.body[0].end_lineno      # keep the docstring
    indent = " " * (node.col_offset + 4)
    return "".join(lines[:start]) + f"{indent}{body}\n" + "".join(lines[node.end_lineno:])


@pytest.fixture(scope="module")
def injected_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("injected")
    pairs = []
    for step in manifest.steps(ROOT):
        for function in step.functions:
            for kind, body in BODIES.items():
                folder = base / f"{step.id}-{function}-{kind}"
                shutil.copytree(ROOT / "solutions", folder, ignore=shutil.ignore_patterns("__pycache__"))
                (folder / step.filename).write_text(injected(step, function, body), encoding="utf-8")
                pairs.append(f"{step.id}={folder}")
    return proof.drive("folders", *pairs)


CASES = [(s.id, f, k) for s in manifest.steps(ROOT) for f in s.functions for k in BODIES]


@pytest.mark.slow
@pytest.mark.parametrize("step_id, function, kind", CASES, ids=[f"{s}.{f}-{k}" for s, f, k in CASES])
def test_every_failure_of_a_broken_function_is_a_message_without_internals(injected_runs, step_id, function, kind):
    result = injected_runs.result(f"{step_id}@{step_id}-{function}-{kind}")
    assert not result["collect_errors"], result["collect_errors"]
    failed = [t for t in result["tests"] if t["status"] != "passed"]
    assert failed, f"{function} {kind}: no test of {step_id} failed"
    for test in failed:
        leaked = [marker for marker in INTERNALS if marker in test["message"]]
        assert not leaked and test["message"].strip(), (
            f"{step_id}.{function} ({kind}), {test['test']}: the message shows {leaked}:\n{test['message']}")
