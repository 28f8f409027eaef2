"""`kata dev grade SUBMISSIONS OUT`: grade a whole class with the batch grader (see docs/grading.md)."""

from kata.judging.limits import GRADING


def register(sub):
    p = sub.add_parser(
        "grade", help="grade a class as the LMS delivers it → grades.csv, results/, feedback/, exports/, report/",
        description="Grade every submission in SUBMISSIONS (a folder, .zip or .tar.gz per student, Moodle's or "
                    "Canvas's downloads — the folder or the .zip itself — or nbgrader's submitted/) with the "
                    "repository's own step tests and your tests/hidden, each in isolated child processes with time "
                    "and memory limits. An OUT that holds an earlier run's grades needs --resume or --force; the "
                    "students of OUT not in SUBMISSIONS keep their rows either way. --steps grades some steps into "
                    "OUT/partial/ and never touches the class's grades.",
    )
    p.add_argument("submissions", help="the folder (or .zip) the LMS gave you, or nbgrader's submitted/")
    p.add_argument("out", help="output folder: grades.csv, results/, feedback/ (.md and .html), exports/, report/")
    p.add_argument("-j", "--jobs", type=int, default=1, help="submissions graded at the same time (default 1)")
    again = p.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true",
                       help="keep the valid results already in OUT; grade only the new or changed submissions")
    again.add_argument("--force", action="store_true",
                       help="grade every submission again, replacing its results in OUT")
    p.add_argument("--timeout-test", type=float, default=GRADING.test_seconds, metavar="S",
                   help=f"seconds one test may run before it counts as a timeout (default {GRADING.test_seconds:g})")
    p.add_argument("--timeout-submission", type=float, default=GRADING.submission_seconds, metavar="S",
                   help=f"seconds all the tests of one submission may take (default {GRADING.submission_seconds:g})")
    p.add_argument("--memory", type=int, default=GRADING.memory_mb, metavar="MB",
                   help=f"memory of a submission's sandbox in MB: its processes' resident memory together where "
                        f"cgroups are available, and each one's address space (default {GRADING.memory_mb}; "
                        f"TensorFlow alone reserves about 3 GB of address space)")
    p.add_argument("--output-limit", type=int, default=GRADING.output_mb, metavar="MB",
                   help=f"largest file (output included) a submission may write, in MB (default {GRADING.output_mb})")
    p.add_argument("--lang", choices=("es", "en"),
                   help="the class's language: feedback and test messages (default: KATA_LANG, then the locale)")
    p.add_argument("--steps", nargs="+", metavar="STEP",
                   help="grade only these steps (ids), into OUT/partial/<steps>/: no grades, no exports, no report")
    p.add_argument("--roster", metavar="FILE",
                   help="the class list: Canvas's gradebook export, Moodle's participants download or Moodle's "
                        "grading worksheet (names, sections, a 'not handed in' row for each student with nothing "
                        "in SUBMISSIONS); kept in OUT for later runs")
    p.add_argument("--adjustments", metavar="FILE",
                   help="grades changed by hand (CSV: student,step,points,reason; step may be 'total'); checked, "
                        "then kept as OUT/adjustments.csv, which later runs apply")
    p.add_argument("--assignment", metavar="NAME",
                   help="the assignment's name in the LMS: the feedback's title and Canvas's column (its real "
                        "column when --roster is Canvas's gradebook export); kept for later runs")
    p.add_argument("--no-sandbox", action="store_true",
                   help="run the submissions' code without bubblewrap (only where it cannot run: macOS, Windows, a "
                        "container without user namespaces); the report and every feedback file say so")
    p.set_defaults(func=run_grade)


def run_grade(args) -> int:
    import sys

    from kata.manifest import ManifestError
    from kata_dev.grader import adjustments, batch, reports, roster, runner, submissions

    limits = GRADING.with_(test_seconds=args.timeout_test, submission_seconds=args.timeout_submission,
                           memory_mb=args.memory, output_mb=args.output_limit,
                           sandbox="none" if args.no_sandbox else "bwrap")
    try:
        summary = batch.grade_class(args.submissions, args.out, jobs=args.jobs, resume=args.resume,
                                    force=args.force, limits=limits, step_ids=args.steps, lang=args.lang,
                                    roster=args.roster, adjustments=args.adjustments, assignment=args.assignment)
    except (runner.GraderError, submissions.SubmissionError, ManifestError, reports.OutputExists,
            roster.RosterError, adjustments.AdjustmentError) as err:
        print(f"kata dev grade: {err}", file=sys.stderr)
        return 2
    if summary.partial:
        print(f"graded {len(summary.results)} submission(s) on {', '.join(args.steps)} only, in {summary.out} "
              f"(a partial run: no grades, no exports)")
    else:
        print(f"graded {len(summary.results)} submission(s); {len(summary.entries)} row(s) in {args.out}/grades.csv")
    unreadable = sorted(f"{r['student_id']}: {r['problem']}" for r in summary.results.values() if r.get("problem"))
    if unreadable:
        print("these submissions could not be read (each has a row and a note; ask for a new hand-in):",
              *unreadable, sep="\n  ", file=sys.stderr)
        return 1
    return 0
