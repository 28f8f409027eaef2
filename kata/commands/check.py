"""`kata check [STEP]`: run one step's public tests and print a short digest."""

from kata.commands.common import add_lang, apply_lang, choose_step, error
from kata.commands.status import PUBLIC_NOTE, print_next
from kata.i18n import t
from kata.judging import verdict


def register(sub):
    p = sub.add_parser("check", help=t("comprueba un paso con sus tests públicos (por defecto, el siguiente sin terminar)",
                                       "run a step's public tests (default: the next unfinished step)"))
    p.add_argument("step", nargs="?", help=t("el paso (mira `kata status`)", "step id (see `kata status`)"))
    p.add_argument("--impl", default="exercises", help=impl_help())
    p.add_argument("-v", "--verbose", action="store_true",
                   help=t("todos los tests que fallan, agrupados por causa, no solo el primero",
                          "every failing test, grouped by cause, not only the first"))
    p.add_argument("--all", action="store_true", dest="every",
                   help=t("comprueba todos los pasos, uno tras otro", "check every step, one after another"))
    add_lang(p)
    p.set_defaults(func=run_check)


def impl_help() -> str:
    """What --impl accepts here: `solutions` only where the copy has them (not in a student release)."""
    from kata.impl import reference_dir

    if reference_dir() is not None:
        return t("exercises (por defecto), solutions, o la ruta de una carpeta con tus módulos",
                 "exercises (default), solutions, or the path of a folder with your modules")
    return t("exercises (por defecto) o la ruta de una carpeta con tus módulos",
             "exercises (default) or the path of a folder with your modules")


def run_check(args) -> int:
    from kata import impl, status, warm
    from kata.i18n import language
    from kata.paths import exercises_dir, find_root, relative, suite_path

    apply_lang(args)
    root = find_root()
    answer = warm.ask(root, _argv(args), language())     # a `kata watch` of this kata checks it warm
    if answer is not None:
        print(answer[0], end="")
        return answer[1]
    try:
        folder = impl.resolve(args.impl, root)
    except impl.StepUnavailable as err:
        return error(str(err))
    if getattr(args, "every", False):
        return check_all(args, root, folder)
    step, code = choose_step(args.step, root)
    if step is None:
        return code
    if not suite_path(step, root).is_file():
        return error(t(f"El paso {step.id} aún no tiene tests públicos ({relative(suite_path(step, root), root)}).",
                       f"Step {step.id} has no public tests yet ({relative(suite_path(step, root), root)})."), 1)
    outcomes = []
    result = status.run_steps([step], args.impl, root, outcomes)[0]
    own = folder.resolve() == exercises_dir(root).resolve()
    if own:
        status.record(result, root)
    path = relative(folder / step.filename, root)
    if result.state != status.DONE:
        print_failure(result, path, status.blockers(step, root) if own else [], root)
        if getattr(args, "verbose", False):
            print_every_failure(outcomes)
        return 1
    print(verdict.passed_line(step.id, result.total, t(PUBLIC_NOTE[0], PUBLIC_NOTE[1])))
    if own:
        print_next(status.next_step(status.statuses(root, run=False), after=step.id), root)
    return 0


def check_all(args, root, folder) -> int:
    """`kata check --all`: every step with public tests, in one run; a line each (the first failure
    of each failing step below it), then the next step to work on."""
    from kata import manifest, status
    from kata.paths import exercises_dir, relative, suite_path

    steps = [s for s in manifest.steps(root) if suite_path(s, root).is_file()]
    outcomes = []
    results = status.run_steps(steps, args.impl, root, outcomes)
    own = folder.resolve() == exercises_dir(root).resolve()
    for result in results:
        if own:
            status.record(result, root)
        if result.state == status.DONE:
            print(verdict.passed_line(result.step.id, result.total))
            continue
        print_failure(result, relative(folder / result.step.filename, root),
                      status.blockers(result.step, root) if own else [], root)
        if getattr(args, "verbose", False):
            print_every_failure([o for o in outcomes if o.step == result.step.id])
    if own:
        print_next(status.next_step(status.statuses(root, run=False)), root)
    return 0 if all(r.state == status.DONE for r in results) else 1


def print_every_failure(outcomes) -> None:
    """`-v`: every test that did not pass, grouped by the cause its message gives (or its first line)."""
    groups = {}
    for outcome in outcomes:
        if outcome.status != "passed":
            lines = verdict.trim(outcome.message).splitlines() or [outcome.status]
            cause = next((line for line in lines if line.startswith(("Causa probable:", "Likely cause:"))), lines[0])
            groups.setdefault(cause, []).append((outcome.name, lines[0]))
    if not groups:
        return
    print(t("Todos los fallos, por causa:", "Every failure, by cause:"))
    for cause, tests in groups.items():
        print(f"\n  {cause}")
        for name, first in tests:
            print(f"    · {name}" + (f": {first}" if first != cause else ""))


def _argv(args) -> list:
    """This check as the warm judge runs it (a folder given with --impl, made absolute)."""
    from pathlib import Path

    where = args.impl if args.impl in ("exercises", "solutions") else str(Path(args.impl).resolve())
    return ["check", *([args.step] if args.step else []), "--impl", where,
            *(["-v"] if getattr(args, "verbose", False) else []), *(["--all"] if getattr(args, "every", False) else [])]


def print_failure(result, path, blocking=(), root=None) -> None:
    """The digest of a failing step; first, the earlier steps it uses that stop it, if any."""
    from kata import status
    from kata.stubs import STUB_TAG, stub_step_of

    step = result.step
    if blocking:
        first, *more = status.blocker_lines(blocking, root)
        print(f"✗ {step.id}: {first}")
        for line in more:
            print(f"  {line}")
        print(t(f"  (Mientras tanto pasan {result.passed} de {result.total} tests de {step.id}.)",
                f"  (Meanwhile {result.passed} of {result.total} tests of {step.id} pass.)"))
        return
    if STUB_TAG in result.message and stub_step_of(result.message) in (None, step.id):
        print(t(f"✗ {step.id}: aún sin implementar: completa {path} (pasan {result.passed} de {result.total} tests).",
                f"✗ {step.id}: not implemented yet: fill in {path} ({result.passed} of {result.total} tests pass)."))
        print(t(f"  `kata hint {step.id}` da una pista.", f"  `kata hint {step.id}` gives a hint."))
        return
    print(verdict.failed_line(step.id, result.passed, result.total, result.failed_test))
    for line in verdict.trim(result.message).splitlines():
        print(f"  {line}")
    print(t(f"¿Atascado? `kata hint {step.id}` da una pista.", f"Stuck? `kata hint {step.id}` gives a hint."))
