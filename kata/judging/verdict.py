"""The one rule for "this step passes", and the short text that tells a learner why not.

A step passes when it has tests and every one of them passed. A skipped test is never a pass, so
code that makes a test skip itself earns nothing — in `kata check`, `kata status`, the notebooks,
the nbgrader cells and `kata dev grade` alike. The step suites need nothing the machine may lack
(they make their own tiny data), so no skip is ever the machine's.
"""

import re

from kata.i18n import t


def first_problem(outcomes):
    """The first outcome that is not a pass (failed, error, timeout or skipped), or None."""
    return next((o for o in outcomes if o.status != "passed"), None)


def passed(outcomes) -> bool:
    """The rule: some tests, all passed."""
    return bool(outcomes) and first_problem(outcomes) is None


def summary(step, outcomes, lang=None) -> tuple:
    """(passed, text): whether the step passed, and a short report of its outcomes."""
    count = sum(o.status == "passed" for o in outcomes)
    if not outcomes:
        return False, t(f"No se encontraron tests para el paso {step.id}.", f"No tests found for step {step.id}.", lang)
    problem = first_problem(outcomes)
    if problem is None:
        return True, passed_line(step.id, count, lang=lang)
    return False, f"{failed_line(step.id, count, len(outcomes), problem.name, lang)}\n{trim(problem.message)}"


def passed_line(step_id: str, count: int, note: str = "", lang=None) -> str:
    """"✓ conv2d: all 14 tests pass." (with `note` in brackets)."""
    extra = f" ({note})" if note else ""
    return t(f"✓ {step_id}: pasan los {count} tests{extra}.", f"✓ {step_id}: all {count} tests pass{extra}.", lang)


def failed_line(step_id: str, count: int, total: int, first: str, lang=None) -> str:
    """"✗ conv2d: 3 of 14 tests pass. First failure (test_x):"."""
    return t(f"✗ {step_id}: pasan {count} de {total} tests. Primer fallo ({first}):",
             f"✗ {step_id}: {count} of {total} tests pass. First failure ({first}):", lang)


_LOCATION = re.compile(r"^(?P<file>[^\s:][^:]*\.py):(?P<line>\d+): (?P<what>\S.*)$")


def trim(message: str, max_lines: int = 12) -> str:
    """A failure message without a traceback wall: pytest's `E` lines and where it happened.

    Messages worded for the learner (a Feedback, a stub's error) have no `E` lines and come back
    as they are, cut to `max_lines`.
    """
    lines = message.strip().splitlines()
    errors = [re.sub(r"^E\s?", "", line).rstrip() for line in lines if re.match(r"^E(\s|$)", line)]
    if not errors:
        return _cut(lines, max_lines)
    places = [m for m in map(_LOCATION.match, lines) if m]
    if places:
        where = places[-1]
        errors.append(t(f"(en {where['file']}, línea {where['line']})",
                        f"(at {where['file']}, line {where['line']})"))
    return _cut([e.strip() for e in errors], max_lines)


def _cut(lines, max_lines) -> str:
    if len(lines) <= max_lines:
        return "\n".join(lines)
    return "\n".join([*lines[:max_lines], "…"])
