"""Grade a whole class: find the submissions, grade each (a judge process, the code in sandboxed
workers), write the outputs.

The pipeline: check the sandbox → snapshot the grading code and tests → discover submissions →
keep the results a previous run left (`--resume`) → grade the rest, `jobs` at a time → after each
submission, check the output folder and the grader's own files for changes made behind its back,
then write that student's results, feedback and the class CSV (each atomically). A problem met
while grading one submission is that submission's fault, recorded in its results; it never stops
the class. At the end every output is checked once more and restored from memory if needed, and
the class-wide files are written: the LMS exports and the class report.

Nothing is lost: an OUT that holds an earlier run's grades is refused unless `resume` (keep the
valid results, grade the rest) or `force` (grade every submission again) is given, and either way
the students of OUT that are not in SUBMISSIONS keep their results and their gradebook rows.
"""

import tempfile
import threading
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from kata import manifest
from kata.i18n import number
from kata.judging.limits import GRADING
from kata.paths import find_root, suite_path
from kata.worker import cgroups, sandbox
from kata_dev.grader import class_report, exports, integrity, reports, runner, scoring, snapshot, submissions


@dataclass
class Summary:
    """What a class run did: results by student, which were resumed, what was ignored, warnings."""

    results: dict = field(default_factory=dict)
    resumed: list = field(default_factory=list)
    kept: dict = field(default_factory=dict)      # earlier results of students not in SUBMISSIONS
    report: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


def own_digests(snap, root) -> set:
    """sha256 of the kata's own files (code, tests, stubs): a whole-kata hand-in carries them, and
    they are not worth telling the instructor about."""
    import hashlib

    from kata.stubs import stub_text

    texts = list(snap.files.values()) + [stub_text(s, root).encode("utf-8") for s in manifest.steps(root)]
    return {hashlib.sha256(data).hexdigest() for data in texts}


def select_steps(step_ids, root) -> list:
    """The manifest steps to grade: all, or those named (ids or module names)."""
    if not step_ids:
        return manifest.steps(root)
    chosen = {manifest.get(s, root).id for s in step_ids}
    return [s for s in manifest.steps(root) if s.id in chosen]


def grade_class(submissions_dir, out_dir, *, jobs=1, resume=False, force=False, limits=None, step_ids=None,
                root=None, log=print, python=None, lang=None) -> Summary:
    root = Path(root or find_root()).resolve()
    reports.check_target(Path(out_dir), resume, force)
    limits = limits or GRADING
    if limits.sandbox == "bwrap":
        try:
            sandbox.check_bwrap()
        except sandbox.SandboxUnavailable as err:
            raise runner.GraderError(str(err)) from None
        bounded, why = cgroups.available()
        if not bounded:
            log(f"WARNING: the memory and process count of each sandbox as a whole cannot be bounded here ({why}); "
                f"each process keeps its own limits")
    else:
        log("WARNING: grading without a sandbox (--no-sandbox): the submissions' code runs with your "
            "permissions; every feedback file says so")
    steps = select_steps(step_ids, root)
    snap = snapshot.take(root)
    missing = [s.id for s in steps if suite_path(s, ".").as_posix() not in snap.files]
    if missing:
        raise runner.GraderError(f"{root}/tests/steps lacks the test suites of {', '.join(missing)}; "
                                 f"grade only the other steps with --steps, or add the suites")
    with tempfile.TemporaryDirectory(prefix="kata-snapshot-") as folder:
        snap_root = snap.write(Path(folder) / "root")
        runner.self_test(snap_root, limits)
        return _grade(submissions_dir, out_dir, resume, limits, steps, snap, snap_root, root, jobs, log, python, lang)


def _grade(submissions_dir, out_dir, resume, limits, steps, snap, snap_root, root, jobs, log, python, lang) -> Summary:
    guarded = integrity.guarded_folders(root)
    before = integrity.fingerprint(guarded)
    subs, skipped = submissions.discover(submissions_dir, [s.filename for s in steps], own_digests(snap, root))
    summary = Summary(skipped=skipped)
    for line in skipped:
        log(f"ignored: {line}")
    out = reports.OutFolder(out_dir)
    expect = {"tests_sha256": snap.fingerprint(), "steps_graded": [s.id for s in steps],
              "assignment": reports.ASSIGNMENT}
    todo = []
    for sub in subs:
        rel = f"results/{sub.student}.json"
        old = reports.load_valid(out.path / rel, sub.student, {**expect, "submission_sha256": sub.fingerprint()}) \
            if resume else None
        if old is None:
            todo.append(sub)
            continue
        summary.results[sub.student] = old
        summary.resumed.append(sub.student)
        out.adopt(rel)
        out.write(f"feedback/{sub.student}.md", reports.feedback_text(old, lang))
        out.write(f"feedback/{sub.student}.html", reports.feedback_html(old, lang))
    if summary.resumed:
        log(f"resumed {len(summary.resumed)} already graded: {', '.join(summary.resumed)}")
    summary.kept = _keep_others(out, {sub.student for sub in subs})
    if summary.kept:
        log(f"kept {len(summary.kept)} earlier result(s) of students not in {submissions_dir}: "
            f"{', '.join(sorted(summary.kept))}")
    step_ids = [s.id for s in steps]

    def gradebook():
        return reports.csv_text([*summary.kept.values(), *summary.results.values()], step_ids)

    out.write("grades.csv", gradebook())

    guard = _Guard(out, snap, log, summary)

    def work(sub):
        guard.begin(sub.student)
        submitted = [s.id for s in steps if s.filename in sub.modules]   # a missing module is not run
        try:
            graded = runner.grade(sub.modules, submitted, snap_root, limits, python, lang) if submitted else runner.Graded()
        except runner.GraderError:
            raise
        except Exception as err:  # whatever went wrong here came with this submission: record, go on
            graded = runner.Graded(faults=[{"step": s, "kind": "crash", "test": "",
                                            "reason": f"this step could not be graded ({type(err).__name__}: {err})"}
                                           for s in submitted])
        return sub, graded

    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            pending = {pool.submit(work, sub) for sub in todo}
            try:
                while pending:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        sub, graded = future.result()
                        notes = guard.check(sub.student)
                        result = _result(sub, graded, steps, expect, notes, lang, limits)
                        summary.results[sub.student] = result
                        out.write(f"results/{sub.student}.json", reports.results_text(result))
                        out.write(f"feedback/{sub.student}.md", reports.feedback_text(result, lang))
                        out.write(f"feedback/{sub.student}.html", reports.feedback_html(result, lang))
                        out.write("grades.csv", gradebook())
                        log(f"{sub.student}: {number(result['score'], 'en')} / {number(result['max_score'], 'en')}"
                            f"{'  (' + '; '.join(f['kind'] + ' in ' + f['step'] for f in result['faults']) + ')' if result['faults'] else ''}")
            except BaseException:
                runner.STOP.set()   # running children are killed, so leaving the pool waits seconds, not hours
                for future in pending:
                    future.cancel()
                raise
    finally:
        runner.STOP.clear()
    late = guard.check(None)
    if late:
        log("; ".join(late))
    changed = integrity.changes(before, integrity.fingerprint(guarded))
    if changed:
        _refuse(out, summary, changed)
    _class_files(out, summary, subs, steps, root, log)
    return summary


def _refuse(out, summary, changed) -> None:
    """The grader's own files changed while it graded: no gradebook, no exports; every result of
    this run is marked so that --resume grades it again."""
    for student, result in summary.results.items():
        if student not in summary.resumed:
            result["integrity"] = "failed"
            out.write(f"results/{student}.json", reports.results_text(result))
    for rel in ("grades.csv", *exports.FILES):
        out.remove(rel)
    shown = ", ".join(changed[:10]) + (f" and {len(changed) - 10} more" if len(changed) > 10 else "")
    raise runner.GraderError(f"files of the grader's installation changed while it graded ({shown}): no "
                             f"grades were written. Reinstall the kata and its packages, then grade again "
                             f"(--resume grades only these submissions again).")


def _keep_others(out, students: set) -> dict:
    """The valid results already in OUT of students not in this run: their rows stay."""
    kept = {}
    for path in sorted((out.path / "results").glob("*.json")):
        if path.stem in students:
            continue
        old = reports.load_any(path)
        if old is not None:
            kept[old["student_id"]] = old
            out.adopt(f"results/{path.name}")
    return kept


def _class_files(out, summary, subs, steps, root, log) -> None:
    """The LMS exports and the class report, from every result in OUT."""
    everyone = [*summary.kept.values(), *summary.results.values()]
    for rel, text in exports.files(everyone).items():
        out.write(rel, text)
        log(f"wrote {out.path / rel}")
    code = {sub.student: class_report.submission_code(sub, steps) for sub in subs if sub.modules}
    summary.report = class_report.write(out.path, everyone, steps, code, class_report.boilerplate(root, steps))
    for pair in summary.report["pairs"]:
        log(f"similar: {pair['a']} and {pair['b']} ({100 * pair['similarity']:.0f} % of their own code)")
    log(f"class report: {out.path / class_report.REPORT_DIR / 'index.html'}")


class _Guard:
    """Notices changes to the outputs and to the grader's own files while children run."""

    def __init__(self, out, snap, log, summary):
        self.out, self.snap, self.log, self.summary = out, snap, log, summary
        self.active = set()
        self.pending_notes = {}
        self.seen_source_changes = set()
        self.lock = threading.Lock()

    def begin(self, student):
        with self.lock:
            self.active.add(student)

    def check(self, finished):
        """Notes for `finished`'s result; restores tampered outputs and names the suspects."""
        with self.lock:
            suspects = sorted(self.active)
            self.active.discard(finished)
        messages = []
        tampered = self.out.tampered()
        if tampered:
            messages.append(f"the grader's output folder was changed while {', '.join(suspects) or 'no one'} "
                            f"was being graded ({', '.join(tampered)}); the grader restored it from its own records")
        changed = [p for p in self.snap.changed() if p not in self.seen_source_changes]
        if changed:
            self.seen_source_changes.update(changed)
            messages.append(f"files of the grader itself were changed while {', '.join(suspects) or 'no one'} "
                            f"was being graded ({', '.join(changed)}); this run graded everyone with the copy "
                            f"taken at its start, but restore those files (git checkout) before the next run")
        for message in messages:
            self.log(f"WARNING: {message}")
            self.summary.warnings.append(message)
            for student in suspects:
                self.pending_notes.setdefault(student, []).append(message)
        return self.pending_notes.pop(finished, []) if finished else messages


def _result(sub, graded, steps, expect, notes, lang, limits) -> dict:
    from datetime import datetime, timezone

    scoring.points_for_tests(graded.tests, steps)
    step_records = scoring.score_steps(steps, graded.tests, graded.faults, sub.modules, lang)
    for record, step in zip(step_records, steps):
        record["number"] = step.number
    return {
        "schema": reports.SCHEMA, **expect, "student_id": sub.student,
        "submission_sha256": sub.fingerprint(), "origin": sub.origin.name,
        "score": sum(s["points"] for s in step_records), "max_score": sum(s["max_points"] for s in step_records),
        "steps": step_records, "tests": [test.to_dict() for test in graded.tests], "faults": graded.faults,
        "notes": [*sub.notes, *notes, *graded.notes], "children": graded.children, "seconds": graded.seconds,
        "name": sub.name, "lms": sub.lms, "late": sub.late, "problem": sub.problem,
        "sandbox": limits.sandbox, "peak_mb": graded.peak_mb,
        "graded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        # For the instructor only (never in the feedback): what the submission tried or carried.
        "attempts": {"files": list(sub.extra_files), "stopped": list(graded.attempts)},
    }
