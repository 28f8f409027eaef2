"""Grade a whole class: find the submissions, grade each (a judge process, the code in sandboxed
workers), write the outputs.

The pipeline: check the sandbox → snapshot the grading code and tests → discover submissions →
read the roster and the adjustments, checked against the class before anyone is graded → keep the
results a previous run left (`--resume`) → grade the rest, `jobs` at a time → after each
submission, check the output folder and the grader's own files for changes made behind its back,
then write that student's results, feedback and the class CSV (each atomically). A problem met
while grading one submission is that submission's fault, recorded in its results; it never stops
the class. At the end every output is checked once more and restored from memory if needed, and
the class-wide files are written from the gradebook (`gradebook.build`): grades.csv,
gradebook.json, every feedback, the LMS exports and the class report.

Nothing is lost: an OUT that holds an earlier run's grades is refused unless `resume` (keep the
valid results, grade the rest) or `force` (grade every submission again) is given, and either way
the students of OUT that are not in SUBMISSIONS keep their results and their gradebook rows.

A partial run (`step_ids` naming some steps) never touches the class's grades: it writes
`OUT/partial/<steps>/` — results, feedback that says it is partial and gives no grade, `steps.csv`
and a README — and no gradebook, export or report.
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
from kata.files import write_atomic
from kata_dev.grader import adjustments as adjusting
from kata_dev.grader import class_report, exports, gradebook, integrity, reports, roster as rosters, runner, scoring, \
    snapshot, submissions

ROSTER_FILE = "roster.csv"
ADJUSTMENTS_FILE = "adjustments.csv"
PARTIAL_DIR = "partial"


@dataclass
class Summary:
    """What a class run did: results by student, which were resumed, what was ignored, warnings."""

    results: dict = field(default_factory=dict)
    resumed: list = field(default_factory=list)
    kept: dict = field(default_factory=dict)      # earlier results of students not in SUBMISSIONS
    report: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    entries: list = field(default_factory=list)   # the gradebook (empty for a partial run)
    out: Path = None                              # where this run wrote (OUT, or its partial folder)
    partial: bool = False

    def without_grade(self) -> list:
        """The gradebook entries the exports leave blank, with why."""
        return [e for e in self.entries if not e.has_grade]


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


def partial_folder(out_dir, steps) -> Path:
    """Where a run of some steps only writes: OUT/partial/<step ids joined by +>."""
    return Path(out_dir) / PARTIAL_DIR / "+".join(s.id for s in steps)


@dataclass
class ClassFiles:
    """What the gradebook is made with besides the results: the roster, the adjustments, the
    assignment's name and the class's language (kept in OUT from run to run)."""

    roster: object = None
    adjustments: list = field(default_factory=list)
    assignment: str = ""
    lang: str = None
    previous: dict = field(default_factory=dict)

    @property
    def title(self):
        return self.assignment or None


def grade_class(submissions_dir, out_dir, *, jobs=1, resume=False, force=False, limits=None, step_ids=None,
                root=None, log=print, python=None, lang=None, roster=None, adjustments=None,
                assignment=None) -> Summary:
    """Grade every submission of `submissions_dir` into `out_dir` (see the module's docstring).
    `roster`, `adjustments`: files to check and keep in OUT (else OUT's own copies, when there);
    `assignment`: the assignment's name in the LMS (feedback titles, Canvas's column)."""
    root = Path(root or find_root()).resolve()
    steps = select_steps(step_ids, root)
    partial = [s.id for s in steps] != [s.id for s in manifest.steps(root)]
    target = partial_folder(out_dir, steps) if partial else Path(out_dir)
    reports.check_target(target, resume, force)
    if partial:
        log(f"partial run ({', '.join(s.id for s in steps)} only): it writes {target} and leaves the class's "
            f"grades, exports and report as they are")
        if roster or adjustments or assignment:
            log("--roster, --adjustments and --assignment are for a run of every step: ignored here")
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
    snap = snapshot.take(root)
    missing = [s.id for s in steps if suite_path(s, ".").as_posix() not in snap.files]
    if missing:
        raise runner.GraderError(f"{root}/tests/steps lacks the test suites of {', '.join(missing)}; "
                                 f"grade only the other steps with --steps, or add the suites")
    subs, skipped = submissions.discover(submissions_dir, [s.filename for s in steps], own_digests(snap, root),
                                         exclude=[out_dir])
    kept = {} if partial else _others(target, {sub.student for sub in subs})
    extra = ClassFiles(lang=lang) if partial else \
        _class_inputs(target, subs, kept, steps, roster, adjustments, assignment, lang, log)
    with tempfile.TemporaryDirectory(prefix="kata-snapshot-") as folder:
        snap_root = snap.write(Path(folder) / "root")
        runner.self_test(snap_root, limits)
        summary = Summary(skipped=skipped, kept=kept, out=target, partial=partial)
        return _grade(subs, summary, submissions_dir, target, resume, limits, steps, snap, snap_root, root, jobs,
                      log, python, extra)


def _class_inputs(out, subs, kept, steps, roster_path, adjustments_path, assignment, lang, log) -> ClassFiles:
    """The roster, the adjustments (checked against the class now, before anyone is graded), the
    assignment's name and the language: given now, else kept in OUT by an earlier run. A file given
    is copied into OUT (whole, after it was checked), so later runs apply it too."""
    out = Path(out)
    previous = gradebook.read_previous(out)
    settings = previous.get("settings", {}) if isinstance(previous.get("settings"), dict) else {}
    extra = ClassFiles(assignment=assignment or settings.get("assignment", ""), lang=lang or settings.get("lang"),
                       previous=previous)
    roster_text = _read_text(roster_path) if roster_path else None
    if roster_path:
        extra.roster = rosters.parse(roster_text, str(roster_path))
    elif (out / ROSTER_FILE).is_file():
        extra.roster = rosters.load(out / ROSTER_FILE)
    students, ungraded = _class_ids(subs, kept, extra.roster, [s.id for s in steps])
    adjustments_text = _read_text(adjustments_path) if adjustments_path else None
    if adjustments_path:
        extra.adjustments = adjusting.parse(adjustments_text, str(adjustments_path), students, steps, ungraded)
    elif (out / ADJUSTMENTS_FILE).is_file():
        extra.adjustments = adjusting.load(out / ADJUSTMENTS_FILE, students, steps, ungraded)
    if roster_text is not None:
        write_atomic(out / ROSTER_FILE, roster_text)
        log(f"roster: {len(extra.roster.members)} student(s) from {roster_path} ({extra.roster.kind}), kept as "
            f"{out / ROSTER_FILE}")
    if adjustments_text is not None and Path(adjustments_path).resolve() != (out / ADJUSTMENTS_FILE).resolve():
        write_atomic(out / ADJUSTMENTS_FILE, adjustments_text)
        log(f"adjustments: {len(extra.adjustments)} line(s) from {adjustments_path}, kept as {out / ADJUSTMENTS_FILE}")
    return extra


def _read_text(path) -> str:
    """A roster's or adjustments file's text (UTF-8, a byte-order mark dropped); errors name the file."""
    try:
        return Path(path).read_bytes().decode("utf-8-sig")
    except OSError as err:
        raise adjusting.AdjustmentError(f"{path}: cannot be read ({err.strerror or err})") from None
    except UnicodeDecodeError:
        raise adjusting.AdjustmentError(f"{path}: not UTF-8 text; save it as CSV (UTF-8)") from None


def _class_ids(subs, kept, roster, step_ids) -> tuple:
    """({student id: name} of everyone the gradebook will have a row for, {ids without a graded
    result}), known before grading: the hand-ins, the students kept in OUT, the roster's others."""
    step_free = [{"student_id": s.student, "name": s.name, "lms": s.lms,
                  "lms_id": gradebook.lms_id({"origin": s.origin.name})} for s in subs]
    step_free += [{"student_id": k, "name": r.get("name", k), "lms": r.get("lms", "folder"),
                   "lms_id": gradebook.lms_id(r)} for k, r in kept.items()]
    students = {s["student_id"]: s["name"] for s in step_free}
    ungraded = {s.student for s in subs if s.problem}
    ungraded |= {k for k, r in kept.items() if r.get("problem") or not gradebook.complete(r, step_ids)}
    if roster is not None:
        matched = rosters.match(roster, step_free)
        for student, member in matched.items():
            students[student] = member.name
        claimed = {id(m) for m in matched.values()}
        for member in roster.members:
            if id(member) not in claimed:
                students[rosters.member_id(member)] = member.name
                ungraded.add(rosters.member_id(member))
    return students, ungraded


def _grade(subs, summary, submissions_dir, out_dir, resume, limits, steps, snap, snap_root, root, jobs, log, python,
           extra) -> Summary:
    lang = extra.lang
    guarded = integrity.guarded_folders(root)
    before = integrity.fingerprint(guarded)
    for line in summary.skipped:
        log(f"ignored: {line}")
    out = reports.OutFolder(out_dir)
    expect = {"tests_sha256": snap.fingerprint(), "steps_graded": [s.id for s in steps],
              "assignment": reports.ASSIGNMENT}
    step_ids = [s.id for s in steps]

    def entry_of(result):
        """This student's gradebook entry (None in a partial run)."""
        if summary.partial:
            return None
        entries, _ = gradebook.build([result], steps, roster=extra.roster, adjustments=extra.adjustments,
                                     previous=extra.previous, tests_sha256=expect["tests_sha256"], absent=False)
        return entries[0]

    def write_feedback(student, result):
        entry = entry_of(result)
        out.write(f"feedback/{student}.md", reports.feedback_text(result, lang, entry, extra.title))
        out.write(f"feedback/{student}.html", reports.feedback_html(result, lang, entry, extra.title))

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
        write_feedback(sub.student, old)
    if summary.resumed:
        log(f"resumed {len(summary.resumed)} already graded: {', '.join(summary.resumed)}")
    for student in summary.kept:
        out.adopt(f"results/{student}.json")
    if summary.kept:
        log(f"kept {len(summary.kept)} earlier result(s) of students not in {submissions_dir}: "
            f"{', '.join(sorted(summary.kept))}")

    def progress():
        """The gradebook of everyone graded so far (each row from a complete result), or a partial
        run's own table."""
        results = [*summary.kept.values(), *summary.results.values()]
        if summary.partial:
            return "steps.csv", _steps_csv(results, step_ids)
        entries, _ = gradebook.build(results, steps, roster=extra.roster, adjustments=extra.adjustments,
                                     previous=extra.previous, tests_sha256=expect["tests_sha256"], absent=False)
        return "grades.csv", reports.csv_text(entries, step_ids)

    out.write(*progress())

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
                        result = _result(sub, graded, steps, expect, notes, lang, limits, summary.partial)
                        summary.results[sub.student] = result
                        out.write(f"results/{sub.student}.json", reports.results_text(result))
                        write_feedback(sub.student, result)
                        out.write(*progress())
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
    if summary.partial:
        _partial_files(out, summary, steps, log)
    else:
        _class_files(out, summary, subs, steps, root, log, extra, expect["tests_sha256"])
    return summary


def _refuse(out, summary, changed) -> None:
    """The grader's own files changed while it graded: no gradebook, no exports; every result of
    this run is marked so that --resume grades it again."""
    for student, result in summary.results.items():
        if student not in summary.resumed:
            result["integrity"] = "failed"
            out.write(f"results/{student}.json", reports.results_text(result))
    for rel in ("grades.csv", "steps.csv", *exports.FILES):
        out.remove(rel)
    shown = ", ".join(changed[:10]) + (f" and {len(changed) - 10} more" if len(changed) > 10 else "")
    raise runner.GraderError(f"files of the grader's installation changed while it graded ({shown}): no "
                             f"grades were written. Reinstall the kata and its packages, then grade again "
                             f"(--resume grades only these submissions again).")


def _others(out_dir, students: set) -> dict:
    """The stored results in OUT of students not in this run: their rows stay (an incomplete one,
    graded by an older grader's partial run, as a row without a grade that says so)."""
    kept = {}
    folder = Path(out_dir) / "results"
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        if path.stem in students:
            continue
        old = reports.load_any(path)
        if old is not None:
            kept[old["student_id"]] = old
    return kept


def _class_files(out, summary, subs, steps, root, log, extra, tests_sha256) -> None:
    """From every result in OUT: the gradebook (grades.csv, gradebook.json), every student's feedback,
    the LMS exports and the class report."""
    lang = extra.lang
    results = {**summary.kept, **summary.results}
    entries, warnings = gradebook.build(list(results.values()), steps, roster=extra.roster,
                                        adjustments=extra.adjustments, previous=extra.previous,
                                        tests_sha256=tests_sha256)
    summary.entries = entries
    summary.warnings += warnings
    for line in warnings:
        log(f"WARNING: {line}")
    step_ids = [s.id for s in steps]
    out.write("grades.csv", reports.csv_text(entries, step_ids))
    pages = {}
    for entry in entries:
        result = results.get(entry.student_id)
        if result is None:
            continue
        out.write(f"feedback/{entry.student_id}.md", reports.feedback_text(result, lang, entry, extra.title))
        pages[entry.student_id] = reports.feedback_html(result, lang, entry, extra.title)
        out.write(f"feedback/{entry.student_id}.html", pages[entry.student_id])
    column = _canvas_column(extra, entries, log)
    settings = {"assignment": extra.assignment, "lang": lang, "canvas_column": column}
    write_atomic(out.path / gradebook.FILE, gradebook.to_json(entries, settings))
    for rel in exports.FILES:
        out.remove(rel)
    for rel, data in exports.files(entries, lang=lang, column=column, pages=pages).items():
        if isinstance(data, bytes):
            out.write_bytes(rel, data)
        else:
            out.write(rel, data)
        log(f"wrote {out.path / rel}")
    blank = summary.without_grade()
    if blank:
        log(f"no grade for {len(blank)} student(s), blank (never 0) in grades.csv and the exports: "
            f"{', '.join(f'{e.student_id} ({e.status})' for e in blank)}")
    code = {sub.student: class_report.submission_code(sub, steps) for sub in subs if sub.modules}
    summary.report = class_report.write(out.path, entries, results, steps, code, class_report.boilerplate(root, steps),
                                        summary.warnings)
    for pair in summary.report["pairs"]:
        log(f"similar: {pair['a']} and {pair['b']} ({100 * pair['similarity']:.0f} % of their own code)")
    log(f"class report: {out.path / class_report.REPORT_DIR / 'index.html'}")


def _canvas_column(extra, entries, log) -> str:
    """Canvas's column for the grade: the roster's own "Title (id)" header of the assignment when it
    has one (Canvas then updates that assignment), else its name (a new assignment)."""
    name = extra.assignment or gradebook.DEFAULT_ASSIGNMENT
    if not any(e.lms == "canvas" for e in entries):
        return name
    roster = extra.roster
    if roster is not None and roster.kind == "canvas gradebook":
        header = roster.column_for(name)
        if header:
            return header
        log(f"WARNING: the roster {roster.path} has no assignment column {name!r} (it has: "
            f"{', '.join(roster.assignments) or 'none'}); Canvas will make a new assignment of that name. Pass "
            f"--assignment with the assignment's title to update it instead")
    elif not extra.assignment:
        log(f"WARNING: the Canvas export's column is {name!r}, which Canvas will make a new assignment; pass "
            f"--assignment with the assignment's title (and --roster with Canvas's gradebook export) to update "
            f"the real one")
    return name


def _steps_csv(results: list, step_ids: list) -> str:
    """A partial run's table: each student's points in the steps it graded. Not a gradebook: no
    score, no grade."""
    import csv
    import io

    sink = io.StringIO()
    writer = csv.writer(sink, lineterminator="\n")
    writer.writerow(["student_id", "name", *step_ids, "problem", "note"])
    for r in sorted(results, key=lambda r: r["student_id"]):
        points = {s["id"]: s["points"] for s in r["steps"]}
        writer.writerow([r["student_id"], r.get("name", ""), *(reports._num(points.get(i, 0)) for i in step_ids),
                         r.get("problem", ""), "partial: these steps only, not a grade"])
    return sink.getvalue()


PARTIAL_README = """# Partial run: {steps} only

`kata dev grade --steps {steps}` graded these steps and nothing else. **These are not grades**:
no score, no 0–10 grade, no LMS export, no class report. The class's gradebook (`{out}/grades.csv`)
and its exports are made only by runs that grade every step.

- `steps.csv`: each student's points in these steps;
- `results/`: every test of these steps, for you;
- `feedback/`: what each student would read about these steps (it says it is partial).
"""


def _partial_files(out, summary, steps, log) -> None:
    """A partial run's README (steps.csv was written as it went)."""
    ids = "+".join(s.id for s in steps)
    out.write("README.md", PARTIAL_README.format(steps=ids, out=out.path.parent.parent))
    log(f"partial run: {len(summary.results)} student(s) graded on {ids} only, in {out.path} (no grades, no exports)")


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


def _result(sub, graded, steps, expect, notes, lang, limits, partial=False) -> dict:
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
        "name": sub.name, "lms": sub.lms, "late": sub.late, "problem": sub.problem, "copies": list(sub.copies),
        "partial": partial,
        "sandbox": limits.sandbox, "peak_mb": graded.peak_mb,
        "graded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        # For the instructor only (never in the feedback): what the submission tried or carried.
        "attempts": {"files": list(sub.extra_files), "stopped": list(graded.attempts)},
    }
