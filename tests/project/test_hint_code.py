"""Every hint's code passes the tests it hints at.

Each step's third hint shows the shape of the code. `tests/project/hints/<step>/hint3.py` is that
hint written out as a learner reads it (as edits of the reference, in the format of the mutants).
The tests hold the two together: every call the hint writes (in English; the Spanish hint writes the
same functions) is found in the written-out module — a `...` in the hint stands for any further
arguments — and the module passes the step's whole suite. A hint whose code would fail its own
tests (plot_image's once called plt.subplot, which a Figure lacks) fails here.
"""

import ast
import re

import pytest

from kata import manifest
from kata_dev import proof

HINTS = {v.step_id: v for v in proof.variants("hints")}
NAME_CALL = re.compile(r"(?<![\w.])[A-Za-z_][\w.]*\(")


def calls(hint: str) -> list:
    """The calls a hint writes, outermost first: each `name(` with its balanced arguments that
    parses as Python (prose in parentheses does not), less those inside another one found."""
    found = []
    for match in NAME_CALL.finditer(hint):
        depth, end = 0, None
        for index in range(match.end() - 1, len(hint)):
            depth += {"(": 1, ")": -1}.get(hint[index], 0)
            if depth == 0:
                end = index + 1
                break
        if end is None or any(start <= match.start() < stop for start, stop, _ in found):
            continue
        try:
            node = ast.parse(hint[match.start():end], mode="eval").body
        except SyntaxError:
            continue
        if isinstance(node, ast.Call):
            found.append((match.start(), end, node))
    return [node for _, _, node in found]


def _is_rest(node) -> bool:
    return isinstance(node, ast.Constant) and node.value is Ellipsis


def matches(pattern, node) -> bool:
    """Whether `node` is `pattern`, a trailing `...` argument of a call standing for any others."""
    if type(pattern) is not type(node):
        return False
    if isinstance(pattern, ast.AST):
        rest = isinstance(pattern, ast.Call) and pattern.args and _is_rest(pattern.args[-1])
        for name, value in ast.iter_fields(pattern):
            if name == "ctx":
                continue
            other = getattr(node, name)
            if rest and name == "args":
                if len(other) < len(value) - 1 or not all(map(matches, value[:-1], other)):
                    return False
            elif rest and name == "keywords":
                continue
            elif not matches(value, other):
                return False
        return True
    if isinstance(pattern, list):
        return len(pattern) == len(node) and all(map(matches, pattern, node))
    return pattern == node


def callee(node: ast.Call) -> str:
    return ast.unparse(node.func)


def test_every_step_has_its_third_hint_written_out():
    assert sorted(HINTS) == sorted(s.id for s in manifest.steps(proof.ROOT))


@pytest.mark.parametrize("step", manifest.steps(proof.ROOT), ids=lambda s: s.id)
def test_the_written_out_hint_holds_every_call_its_third_hint_writes(step):
    hint = step.hints("en")[2]
    written = ast.parse(proof.variant_source(HINTS[step.id]))
    wanted = calls(hint)
    assert wanted, f"{step.id}: hint 3 writes no call"
    missing = [ast.unparse(c) for c in wanted if not any(matches(c, node) for node in ast.walk(written))]
    assert missing == [], f"{step.id}: tests/project/hints/{step.id}/hint3.py does not do what hint 3 writes: {missing}"
    assert [callee(c) for c in calls(step.hints("es")[2])] == [callee(c) for c in wanted], step.id


def test_a_call_in_prose_is_no_call_and_three_dots_stand_for_more_arguments():
    found = calls("with the tape: loss = cost(net(bx, w, ...), by); then train_loss.append(mean of the losses)")
    assert [ast.unparse(c) for c in found] == ["cost(net(bx, w, ...), by)"]
    module = ast.parse("loss = cost(net(bx, w, layers, drop_out=True), by)")
    assert any(matches(found[0], node) for node in ast.walk(module))
    assert not any(matches(calls("cost(net(bx, v, ...), by)")[0], node) for node in ast.walk(module))


@pytest.mark.slow
@pytest.mark.parametrize("step", manifest.steps(proof.ROOT), ids=lambda s: s.id)
def test_the_third_hint_written_out_passes_its_whole_step_suite(step):
    result = proof.variant_results("hints").result(HINTS[step.id].name)
    failed = [t for t in result["tests"] if t["status"] != "passed"]
    assert result["tests"] and not failed and not result["collect_errors"], proof.describe(result)
