"""A step's failure attributed to the step that causes it: in a student release the earlier steps a
step uses are the learner's own, so a stub or a bug there fails the later step too, and the learner
must read which file to fix — first, before that step's own digest. One test per dependency of the
manifest (a step and each step it uses, directly or through another)."""

import pytest

from kata import manifest
from support.copies import ROOT, solved, student_copy

pytestmark = pytest.mark.slow
EDGES = [(step.id, manifest.by_module(module, ROOT).id) for step in manifest.steps(ROOT)
         for module in manifest.dependencies(step, ROOT)]


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    return student_copy(tmp_path_factory.mktemp("blockers") / "kata")


def check(root, monkeypatch, step_id, lang="en") -> str:
    from kata import warm

    monkeypatch.setenv("KATA_ROOT", str(root))
    monkeypatch.setenv("KATA_NO_WARM", "1")
    output, _, _ = warm.WarmJudge(root).run(["check", step_id, "--lang", lang])
    return output


@pytest.mark.parametrize("step_id, used", EDGES, ids=[f"{a}-uses-{b}" for a, b in EDGES])
def test_a_stub_of_a_step_it_uses_is_named_first(copy, monkeypatch, step_id, used):
    steps = {s.id: s for s in manifest.steps(ROOT)}
    for name in [used, *(manifest.by_module(m, ROOT).id for m in manifest.dependencies(steps[step_id], ROOT)), step_id]:
        (copy / "exercises" / steps[name].filename).write_text(solved(steps[name].filename), encoding="utf-8")
    stub = (copy / "kata" / "pristine" / steps[used].filename).read_text(encoding="utf-8")
    (copy / "exercises" / steps[used].filename).write_text(stub, encoding="utf-8")
    output = check(copy, monkeypatch, step_id)
    first = output.splitlines()[0]
    assert first.startswith(f"✗ {step_id}: ") and f"{used} (exercises/{steps[used].filename})" in first, output


def test_a_failing_step_it_uses_is_named_in_spanish_as_the_issue_asks(copy, monkeypatch):
    for name in ("conv2d.py", "fully_connected.py", "generate_network.py"):
        (copy / "exercises" / name).write_text(solved(name), encoding="utf-8")
    (copy / "exercises" / "maxpool2d.py").write_text(solved("maxpool2d.py").replace("max_pool2d", "avg_pool2d"),
                                                   encoding="utf-8")
    output = check(copy, monkeypatch, "generate_network", "es")
    assert output.splitlines()[0] == ("✗ generate_network: falla maxpool2d (exercises/maxpool2d.py), "
                                      "que este paso usa: arréglalo antes."), output
