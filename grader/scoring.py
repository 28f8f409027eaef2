"""Points per step: a step earns its manifest points only when every one of its tests passes.

All or nothing, like the nbgrader notebook, where one test cell per step carries the step's
points and fails when any of the step's tests fails: both graders give the same marks.
A skipped test (the pristine suite skipping, e.g. for a dataset not installed) neither passes nor
fails a step; a step whose tests were all skipped earns nothing.
"""


def score_steps(steps, tests: list, faults: list, modules: dict, lang=None) -> list:
    """One record per step: points, max_points, status and counts, in manifest order."""
    records = []
    for step in steps:
        mine = [t for t in tests if t["step"] == step.id]
        step_faults = [f["reason"] for f in faults if f["step"] == step.id]
        counted = [t for t in mine if t["status"] != "skip"]
        passed = sum(t["status"] == "pass" for t in counted)
        full = bool(counted) and passed == len(counted) and not step_faults
        if step.filename not in modules:
            status = "missing"
        elif step_faults:
            status = "fault"
        else:
            status = "passed" if full else "failed"
        records.append({
            "id": step.id, "module": step.filename, "title": step.title(lang),
            "points": step.points if full else 0, "max_points": step.points,
            "status": status, "passed": passed, "tests": len(mine), "faults": step_faults,
        })
    return records


def points_for_tests(tests: list, steps) -> None:
    """Each test carries its step's points (the points riding on it, all or nothing)."""
    by_id = {s.id: s.points for s in steps}
    for t in tests:
        t["points"] = by_id.get(t["step"], 0)
