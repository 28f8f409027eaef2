"""The class report's numbers: what it counts as a step's most common first failure, and what it
says about the submissions it could not compare."""

from kata import manifest
from kata.stubs import STUB_TAG
from kata_dev.grader import class_report, gradebook

STEPS = [s for s in manifest.steps() if s.id == "conv2d"]


def result(student, status, message, score):
    test = {"step": "conv2d", "name": "test_shapes", "status": status, "message": message}
    return {"student_id": student, "name": student, "score": score, "max_score": 2, "problem": "",
            "steps": [{"id": "conv2d", "status": "passed" if status == "passed" else "failed"}],
            "tests": [test], "faults": [], "notes": [], "attempts": {}}


def test_an_untouched_stub_counts_as_not_started_not_as_a_failing_test():
    results = [result("ana", "failed", f"{STUB_TAG}: fill in exercises/conv2d.py", 0),
               result("bea", "failed", f"{STUB_TAG}: fill in exercises/conv2d.py", 0),
               result("eva", "failed", "expected the shape (1, 3, 3, 1)", 0)]
    [rate] = class_report.step_rates(results, STEPS)
    assert rate["common_failure"] == f"{class_report.NOT_STARTED} (2)"


def entry(student, status="graded", score=2, **more):
    return gradebook.Entry(student_id=student, name=student, status=status, score=score, max_score=2,
                           steps={"conv2d": score}, **more)


def test_the_report_says_how_many_submissions_had_too_little_code_of_their_own_to_compare():
    results = [result(name, "passed", "", 2) for name in ("ana", "bea", "eva")]
    entries = [entry(name) for name in ("ana", "bea", "eva")]
    text = class_report.report_markdown(entries, class_report.step_rates(results, STEPS), [], compared=1)
    assert "Ninguna pareja entre 1 entregas comparadas" in text
    assert f"2 entrega(s) no se compararon: tienen menos de {class_report.MIN_OWN_CHARACTERS} caracteres" in text


def test_the_report_lists_what_the_instructor_must_settle_before_signing():
    entries = [entry("ana", adjustments=[{"target": "total", "change": "−1", "before": 2, "after": 1,
                                          "reason": "late", "cut": False}], score=1),
               entry("rota", "unreadable", None, problem="rota.zip cannot be read (BadZipFile)"),
               entry("eli", "not handed in", None, on_roster=True),
               entry("zoe", on_roster=False)]
    results = {"ana": {**result("ana", "passed", "", 2),
                       "copies": [{"module": "conv2d.py", "graded": "conv2d.py", "ignored": ["old/conv2d.py"]}]}}
    text = class_report.report_markdown(entries, [], [], compared=1, results=results,
                                        warnings=["zoe (zoe) handed in but is not on the roster r.csv"])
    settle = text.split("## Para revisar · To settle before signing", 1)[1].split("## Parecidos", 1)[0]
    assert "- rota (rota): unreadable — rota.zip cannot be read (BadZipFile)" in settle
    assert "- eli (eli): not handed in" in settle
    assert "- ana: total −1 (2 → 1) — late" in settle
    assert "- ana: conv2d.py: graded conv2d.py, not old/conv2d.py" in settle
    assert "zoe (zoe) handed in but is not on the roster" in settle
    row = next(line for line in text.splitlines() if line.startswith("| rota |"))
    assert "| — / 2 | — |" in row                      # no grade, never 0
