"""Points per step: a step earns its manifest points only when every one of its tests passes.

All or nothing, by the one rule of `kata.judging.verdict` that `kata check` and the nbgrader cells apply
too (one test cell per step carries the step's points there): a skipped test is never a pass, so
a step with a skipped test earns nothing, and the graders give the same marks.
"""


from kata.judging import verdict


def score_steps(steps, tests: list, faults: list, modules: dict, lang=None) -> list:
    """One record per step: points, max_points, status and counts, in manifest order. `tests`: Outcomes."""
    records = []
    for step in steps:
        mine = [t for t in tests if t.step == step.id]
        step_faults = [f["reason"] for f in faults if f["step"] == step.id]
        full = verdict.passed(mine) and not step_faults
        if step.filename not in modules:
            status = "missing"
        elif step_faults:
            status = "fault"
        else:
            status = "passed" if full else "failed"
        records.append({
            "id": step.id, "module": step.filename, "title": step.title(lang),
            "points": step.points if full else 0, "max_points": step.points,
            "status": status, "passed": sum(t.passed for t in mine), "tests": len(mine),
            "faults": step_faults,
        })
    return records


def points_for_tests(tests: list, steps) -> None:
    """Each test (an Outcome) carries its step's points (the points riding on it, all or nothing)."""
    by_id = {s.id: s.points for s in steps}
    for test in tests:
        test.points = by_id.get(test.step, 0)
