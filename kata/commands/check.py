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
    step, code = choose_step(args.step, root)
    if step is None:
        return code
    try:
        folder = impl.resolve(args.impl, root)
    except impl.StepUnavailable as err:
        return error(str(err))
    if not suite_path(step, root).is_file():
        return error(t(f"El paso {step.id} aún no tiene tests públicos ({relative(suite_path(step, root), root)}).",
                       f"Step {step.id} has no public tests yet ({relative(suite_path(step, root), root)})."), 1)
    result = status.run_steps([step], args.impl, root)[0]
    own = folder.resolve() == exercises_dir(root).resolve()
    if own:
        status.record(result, root)
    path = relative(folder / step.filename, root)
    if result.state != status.DONE:
        print_failure(result, path)
        return 1
    print(verdict.passed_line(step.id, result.total, t(PUBLIC_NOTE[0], PUBLIC_NOTE[1])))
    if own:
        print_next(status.next_step(status.statuses(root, run=False), after=step.id), root)
    return 0


def _argv(args) -> list:
    """This check as the warm judge runs it (a folder given with --impl, made absolute)."""
    from pathlib import Path

    where = args.impl if args.impl in ("exercises", "solutions") else str(Path(args.impl).resolve())
    return ["check", *([args.step] if args.step else []), "--impl", where]


def print_failure(result, path) -> None:
    from kata.stubs import STUB_TAG

    step = result.step
    if STUB_TAG in result.message:
        print(t(f"✗ {step.id}: aún sin implementar: completa {path} (pasan {result.passed} de {result.total} tests).",
                f"✗ {step.id}: not implemented yet: fill in {path} ({result.passed} of {result.total} tests pass)."))
        print(t(f"  `kata hint {step.id}` da una pista.", f"  `kata hint {step.id}` gives a hint."))
        return
    print(verdict.failed_line(step.id, result.passed, result.total, result.failed_test))
    for line in verdict.trim(result.message).splitlines():
        print(f"  {line}")
    print(t(f"¿Atascado? `kata hint {step.id}` da una pista.", f"Stuck? `kata hint {step.id}` gives a hint."))
