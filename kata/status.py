"""Where a learner stands: which steps are done, failing or not started, and which comes next.

A step is *not started* while its file is still the stub (see `kata.stubs.is_untouched`); that is
told apart without running a test, so `kata status` stays quick on a fresh copy. Other steps run
their public tests, and the result is cached in `.kata/state.json` (see `kata.state`) so a step is
only re-run when its file, its tests or the modules it uses change.

Nothing here imports TensorFlow or pytest until a step's tests actually have to run.
"""

from dataclasses import dataclass
from pathlib import Path

from kata import manifest, state
from kata.judging import verdict
from kata.i18n import t
from kata.paths import find_root, suite_path
from kata.stubs import is_untouched

NOT_STARTED = "not started"
DONE = "done"
FAILING = "failing"
NO_TESTS = "no tests"
UNKNOWN = "unknown"            # started, result not cached: the tests have to run to tell
UNFINISHED = (NOT_STARTED, FAILING, UNKNOWN)


@dataclass
class StepStatus:
    """What is known about one step of the learner's `exercises/`."""

    step: manifest.Step
    state: str                 # NOT_STARTED, DONE, FAILING, NO_TESTS or UNKNOWN
    passed: int = 0
    total: int = 0
    message: str = ""          # the first failure, for FAILING
    failed_test: str = ""
    blocked_by: tuple = ()     # earlier steps it uses that are not done (in a copy without the reference)

    @property
    def points(self):
        return self.step.points if self.state == DONE else 0

    def entry(self) -> dict:
        """What `.kata/state.json` keeps of it."""
        return {"state": self.state, "passed": self.passed, "total": self.total, "message": self.message,
                "failed_test": self.failed_test}


def quick_status(step, root, saved) -> StepStatus:
    """The status known without running tests (UNKNOWN when the tests must run)."""
    if is_untouched(step, root):
        return StepStatus(step, NOT_STARTED)
    if not suite_path(step, root).is_file():
        return StepStatus(step, NO_TESTS)
    entry = state.cached(step, root, saved)
    if entry:
        return StepStatus(step, entry["state"], entry.get("passed", 0), entry.get("total", 0),
                          entry.get("message", ""), entry.get("failed_test", ""))
    return StepStatus(step, UNKNOWN)


def summarize(step, outcomes) -> StepStatus:
    """One step's status from its test Outcomes, by the one rule of `kata.judging.verdict`."""
    mine = [o for o in outcomes if o.step == step.id]
    count = sum(o.status == "passed" for o in mine)
    if verdict.passed(mine):
        return StepStatus(step, DONE, count, len(mine))
    problem = verdict.first_problem(mine)
    if problem is None:
        why = t("no se ejecutó ningún test de este paso", "none of this step's tests ran")
        return StepStatus(step, FAILING, 0, 0, why)
    return StepStatus(step, FAILING, count, len(mine), problem.message, problem.name)


def run_steps(steps, impl="exercises", root=None, outcomes_out=None) -> list:
    """Run the public tests of `steps` in one pytest session; one StepStatus each (and every Outcome
    appended to `outcomes_out` when given)."""
    from kata.judging import suite

    outcomes = suite.run([s.id for s in steps], impl, root=root)
    if outcomes_out is not None:
        outcomes_out.extend(outcomes)
    return [summarize(s, outcomes) for s in steps]


def record(status: StepStatus, root) -> None:
    """Remember a status from a run against exercises/ under the current cache key."""
    saved = state.load(root)
    state.remember(status.step, root, saved, status.entry())
    state.save(root, saved)


def statuses(root=None, *, run=True, on_run=None) -> list:
    """Every step's status, in course order; runs (and caches) the tests of changed steps.

    With `run=False` the steps whose result is not cached stay UNKNOWN. `on_run(steps)` is
    called before tests run, so a command can say why it pauses.
    """
    root = Path(root or find_root())
    saved = state.load(root)
    found = [quick_status(s, root, saved) for s in manifest.steps(root)]
    unknown = [st.step for st in found if st.state == UNKNOWN]
    if unknown and run:
        if on_run:
            on_run(unknown)
        ran = {st.step.id: st for st in run_steps(unknown, root=root)}
        for st in ran.values():
            state.remember(st.step, root, saved, st.entry())
        state.save(root, saved)
        found = [ran.get(st.step.id, st) for st in found]
    if run:
        for st in found:
            if st.state == FAILING:
                st.blocked_by = tuple(b.step.id for b in blockers(st.step, root, found))
    return found


def blockers(step, root=None, found=None) -> list:
    """The earlier steps `step` uses whose learner's code is not done — still the stub, or failing its
    own public tests — in the order they are used; their tests run (and are remembered) when their
    result is not known. None where the tests give a step the reference of the earlier ones."""
    from kata import impl

    root = Path(root or find_root())
    if impl.reference_dir(root) is not None:
        return []
    known = {st.step.id: st for st in (found or [])}
    used = [manifest.by_module(module, root) for module in manifest.dependencies(step, root)]
    missing = [dep for dep in used if dep.id not in known]
    if missing:
        saved = state.load(root)
        quick = {dep.id: quick_status(dep, root, saved) for dep in missing}
        unknown = [dep for dep in missing if quick[dep.id].state == UNKNOWN]
        if unknown:
            for st in run_steps(unknown, root=root):
                state.remember(st.step, root, saved, st.entry())
                quick[st.step.id] = st
            state.save(root, saved)
        known.update(quick)
    return [known[dep.id] for dep in used if known[dep.id].state in (NOT_STARTED, FAILING)]


def blocker_lines(blocking, root, lang=None) -> list:
    """One sentence per step that stops this one, naming its file: what to fix first."""
    from kata.paths import exercise_path, relative

    lines = []
    for st in blocking:
        path = relative(exercise_path(st.step, root), root)
        if st.state == NOT_STARTED:
            lines.append(t(f"este paso usa {st.step.id} ({path}), que aún está sin empezar: complétalo antes.",
                           f"this step uses {st.step.id} ({path}), which is not started yet: fill it in first.", lang))
        else:
            lines.append(t(f"falla {st.step.id} ({path}), que este paso usa: arréglalo antes.",
                           f"{st.step.id} ({path}) fails, and this step uses it: fix it first.", lang))
    return lines


def next_step(found, after=None):
    """The status of the step to work on, or None when all are done.

    The first unfinished step after `after` (a step id), then from the start; with no `after`,
    the first unfinished one. Steps without public tests are passed over.
    """
    order = list(found)
    if after is not None:
        index = next((i for i, st in enumerate(order) if st.step.id == after), -1)
        order = order[index + 1:] + order[:index + 1]
    return next((st for st in order if st.state in UNFINISHED), None)


def choose(step_id=None, root=None) -> manifest.Step:
    """The step a command works on: the one named (raises ManifestError listing the steps when it
    is unknown), else the first unfinished one, found without running any test (a started step
    whose result is not cached counts as unfinished: checking it tells). When all are done, the last."""
    if step_id:
        return manifest.get(step_id, root)
    found = statuses(root, run=False)
    status = next_step(found)
    return status.step if status else found[-1].step


def instructor_feedback(root=None) -> list:
    """The feedback your instructor published into feedback/ (Markdown files, newest first)."""
    folder = Path(root or find_root()) / "feedback"
    if not folder.is_dir():
        return []
    found = [p for p in folder.glob("*.md") if p.is_file() and not p.name.startswith(".")]
    return sorted(found, key=lambda p: (-p.stat().st_mtime, p.name))
