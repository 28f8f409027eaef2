"""The guided progression: `kata status`, `check`, `hint`, `watch` and `reset`.

Steps come from the manifest in course order; `kata` alone is `kata status`. The logic lives in
`kata.progress`; this module parses arguments and words the answers (Spanish or English).
"""

import os
import sys

from kata.i18n import t

PUBLIC_NOTE = ("tests públicos: tu profesor puede evaluar con más",
               "public tests — your instructor may grade with more")


def register(sub):
    p = sub.add_parser("status", help="steps done, failing and not started, and the next one · tu progreso")
    _lang(p)
    p.set_defaults(func=run_status)

    p = sub.add_parser("check", help="run a step's public tests (default: the next unfinished step) · comprueba un paso")
    p.add_argument("step", nargs="?", help="step id (see `kata status`)")
    p.add_argument("--impl", default="exercises",
                   help="exercises (default), solutions, or the path of a folder with your modules")
    _lang(p)
    p.set_defaults(func=run_check)

    p = sub.add_parser("hint", help="the next hint of a step, or hint N · una pista")
    p.add_argument("step", nargs="?", help="step id (default: the next unfinished step)")
    p.add_argument("n", nargs="?", help="which hint, from 1 (default: the next one not yet shown)")
    _lang(p)
    p.set_defaults(func=run_hint)

    p = sub.add_parser("watch", help="re-check the current step whenever a file in exercises/ changes · vigila")
    p.add_argument("step", nargs="?", help="step id (default: the next unfinished step, each time)")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between looks at the files (default 1)")
    _lang(p)
    p.set_defaults(func=run_watch)

    p = sub.add_parser("reset", help="restore a step's stub, keeping your file as a backup · reinicia un paso")
    p.add_argument("step", help="step id")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    _lang(p)
    p.set_defaults(func=run_reset)


def _lang(parser):
    parser.add_argument("--lang", choices=("es", "en"), help="language of the messages (default: KATA_LANG, then the locale)")


def _apply_lang(args) -> None:
    """Make `--lang` reach every message, the tests' own feedback included."""
    if getattr(args, "lang", None):
        os.environ["KATA_LANG"] = args.lang


def _error(text: str, code: int = 2) -> int:
    print(text, file=sys.stderr)
    return code


def _step_or_error(step_id, root):
    """(step, None) or (None, exit code) after printing the error that lists the steps."""
    from kata import manifest

    try:
        return manifest.get(step_id, root), None
    except manifest.ManifestError:
        names = ", ".join(s.id for s in manifest.steps(root))
        return None, _error(t(f"kata: no hay ningún paso {step_id!r}; los pasos son: {names}",
                              f"kata: there is no step {step_id!r}; the steps are: {names}"))


# ---------------------------------------------------------------- status


def _state_label(status) -> str:
    from kata import progress

    return {
        progress.DONE: t("hecho ✓", "done ✓"),
        progress.FAILING: t(f"falla ({status.passed}/{status.total})", f"failing ({status.passed}/{status.total})"),
        progress.NOT_STARTED: t("sin empezar", "not started"),
        progress.NO_TESTS: t("sin tests públicos aún", "no public tests yet"),
        progress.UNKNOWN: t("sin comprobar", "not checked"),
    }[status.state]


def _announce_run(steps) -> None:
    names = ", ".join(s.id for s in steps)
    print(t(f"Comprobando {names}…", f"Checking {names}…"), file=sys.stderr, flush=True)


def run_status(args) -> int:
    from kata import progress
    from kata.paths import find_root

    _apply_lang(args)
    root = find_root()
    found = progress.statuses(root, on_run=_announce_run)
    earned = sum(st.points for st in found)
    total = sum(st.step.points for st in found)
    heading = t(f"cnn-kata · {earned}/{total} puntos ({PUBLIC_NOTE[0]})",
                f"cnn-kata · {earned}/{total} points ({PUBLIC_NOTE[1]})")
    if sys.stdout.isatty():
        _status_table(found, root, heading)
    else:
        _status_plain(found, root, heading)
    _print_next(progress.next_step(found), root)
    return 0


def _status_rows(found, root):
    from kata import progress

    for st in found:
        yield (str(st.step.number), st.step.id, _state_label(st), f"{st.points}/{st.step.points}",
               progress.relative(progress.exercise_path(st.step, root), root), st.state)


def _status_plain(found, root, heading) -> None:
    print(heading)
    for number, step_id, label, points, path, _ in _status_rows(found, root):
        print(f"{number:>3}. {step_id:<16} {label:<24} {points:>5}  {path}")


def _status_table(found, root, heading) -> None:
    from rich.console import Console
    from rich.table import Table

    from kata import progress

    styles = {progress.DONE: "green", progress.FAILING: "red", progress.NOT_STARTED: "dim"}
    table = Table(title=heading, title_justify="left")
    for column in ("#", t("paso", "step"), t("estado", "state"), t("puntos", "points"), t("fichero", "file")):
        table.add_column(column, no_wrap=True)
    for *cells, state in _status_rows(found, root):
        table.add_row(*cells, style=styles.get(state, ""))
    Console().print(table)


def _print_next(status, root) -> None:
    from kata import progress

    if status is None:
        print(t("¡Todos los pasos están hechos! Enhorabuena.", "Every step is done! Well done."))
        return
    step = status.step
    path = progress.relative(progress.exercise_path(step, root), root)
    print(t(f"Siguiente: {step.id} — {step.title()} → {path}",
            f"Next: {step.id} — {step.title()} → {path}"))
    print(t(f"  Edítalo y ejecuta `kata check` (o `kata watch`); `kata hint {step.id}` da una pista.",
            f"  Edit it, then run `kata check` (or `kata watch`); `kata hint {step.id}` gives a hint."))


# ---------------------------------------------------------------- check


def run_check(args) -> int:
    from kata import impl, progress
    from kata.paths import exercises_dir, find_root

    _apply_lang(args)
    root = find_root()
    if args.step:
        step, code = _step_or_error(args.step, root)
        if step is None:
            return code
    else:
        step = progress.first_unfinished(root)
    try:
        folder = impl.resolve(args.impl, root)
    except impl.StepUnavailable as err:
        return _error(str(err))
    if not progress.test_path(step, root).is_file():
        return _error(t(f"El paso {step.id} aún no tiene tests públicos (tests/steps/test_{step.id}.py).",
                        f"Step {step.id} has no public tests yet (tests/steps/test_{step.id}.py)."), 1)
    status = progress.run_steps([step], args.impl, root)[0]
    own = folder.resolve() == exercises_dir(root).resolve()
    if own:
        state = progress.load_state(root)
        progress.record(status, root, state)
        progress.save_state(root, state)
    path = progress.relative(folder / step.filename, root)
    if status.state != progress.DONE:
        _print_failure(status, path)
        return 1
    print(t(f"✓ {step.id}: pasan {status.passed}/{status.total} tests ({PUBLIC_NOTE[0]}).",
            f"✓ {step.id}: {status.passed}/{status.total} tests pass ({PUBLIC_NOTE[1]})."))
    if own:
        _print_next(progress.next_step(progress.statuses(root, run=False), after=step.id), root)
    return 0


def _print_failure(status, path) -> None:
    from kata import progress
    from kata.stubs import STUB_TAG

    step = status.step
    if STUB_TAG in status.message:
        print(t(f"✗ {step.id}: aún sin implementar: completa {path} ({status.passed}/{status.total} tests pasan).",
                f"✗ {step.id}: not implemented yet: fill in {path} ({status.passed}/{status.total} tests pass)."))
        print(t(f"  `kata hint {step.id}` da una pista.", f"  `kata hint {step.id}` gives a hint."))
        return
    print(t(f"✗ {step.id}: pasan {status.passed}/{status.total} tests. Primer fallo ({status.failed_test}):",
            f"✗ {step.id}: {status.passed}/{status.total} tests pass. First failure ({status.failed_test}):"))
    for line in progress.digest(status.message).splitlines():
        print(f"  {line}")
    print(t(f"¿Atascado? `kata hint {step.id}` da una pista.", f"Stuck? `kata hint {step.id}` gives a hint."))


# ---------------------------------------------------------------- hint


def run_hint(args) -> int:
    from kata import progress
    from kata.paths import find_root

    _apply_lang(args)
    root = find_root()
    step_id, number = args.step, args.n
    if step_id and step_id.isdigit() and number is None:   # `kata hint 2`: hint 2 of the current step
        step_id, number = None, step_id
    if number is not None and not number.isdigit():
        return _error(t(f"kata hint: N debe ser un número (1, 2, …), no {number!r}",
                        f"kata hint: N must be a number (1, 2, …), not {number!r}"))
    if step_id:
        step, code = _step_or_error(step_id, root)
        if step is None:
            return code
    else:
        step = progress.first_unfinished(root)
    try:
        n, count, text = progress.hint(step, int(number) if number else None, root=root)
    except ValueError as err:
        return _error(f"kata hint: {err}")
    print(t(f"Pista {n}/{count} · {step.id} — {step.title()}", f"Hint {n}/{count} · {step.id} — {step.title()}"))
    print(f"  {text}")
    if n < count:
        print(t(f"(`kata hint {step.id}` muestra la siguiente)", f"(`kata hint {step.id}` shows the next one)"))
    else:
        print(t("(era la última pista)", "(that was the last hint)"))
    return 0


# ---------------------------------------------------------------- watch


def check_command(step_id=None, lang=None) -> list:
    """The `kata check` command line watch runs, in a fresh interpreter each time."""
    command = [sys.executable, "-m", "kata", "check"]
    if step_id:
        command.append(step_id)
    if lang:
        command += ["--lang", lang]
    return command


def run_watch(args) -> int:
    import subprocess
    import time

    from kata import progress
    from kata.i18n import language
    from kata.paths import exercises_dir, find_root

    _apply_lang(args)
    root = find_root()
    if args.step:
        step, code = _step_or_error(args.step, root)
        if step is None:
            return code
    if args.interval <= 0:
        return _error(t("kata watch: --interval debe ser mayor que 0", "kata watch: --interval must be above 0"))
    command = check_command(args.step, language(args.lang))
    env = {**os.environ, "KATA_ROOT": str(root)}
    stop = t("Ctrl-C para salir", "Ctrl-C to stop")

    def on_change(changed):
        when = time.strftime("%H:%M:%S")
        what = ", ".join(changed) if changed else t("inicio", "start")
        print(f"\n── {when} · {what} ─────────────", flush=True)
        # A subprocess imports the edited module afresh, and a crash in it cannot stop watch.
        subprocess.run(command, cwd=root, env=env, check=False)
        print(t(f"Vigilando {progress.relative(exercises_dir(root), root)}/ ({stop})…",
                f"Watching {progress.relative(exercises_dir(root), root)}/ ({stop})…"), flush=True)

    try:
        progress.watch_files(exercises_dir(root), on_change, interval=args.interval)
    except KeyboardInterrupt:
        print(t("\nHasta luego.", "\nBye."))
    return 0


# ---------------------------------------------------------------- reset


def confirmed(question: str, *, assume_yes=False, stdin=None, ask=input):
    """True/False for the learner's answer (y/N), or None when nobody can answer (not a terminal)."""
    if assume_yes:
        return True
    stdin = stdin or sys.stdin
    if not stdin or not stdin.isatty():
        return None
    try:
        answer = ask(f"{question} [{t('s/N', 'y/N')}] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes", "s", "si", "sí")


def run_reset(args) -> int:
    import time

    from kata import progress
    from kata.files import write_atomic
    from kata.paths import find_root

    _apply_lang(args)
    root = find_root()
    step, code = _step_or_error(args.step, root)
    if step is None:
        return code
    stub = progress.pristine_stub(step, root)
    if stub is None:
        return _error(t(f"kata reset: no se encuentra el esqueleto de {step.filename} (ni solutions/ ni {progress.PRISTINE_DIR}/)",
                        f"kata reset: cannot find the stub of {step.filename} (neither solutions/ nor {progress.PRISTINE_DIR}/)"))
    path = progress.exercise_path(step, root)
    shown = progress.relative(path, root)
    if path.is_file() and path.read_text(encoding="utf-8", errors="replace") == stub:
        print(t(f"{shown} ya es el esqueleto original: nada que hacer.", f"{shown} is already the original stub: nothing to do."))
        return 0
    answer = confirmed(t(f"¿Restaurar {shown} a su esqueleto? Tu versión se guardará como copia.",
                         f"Restore {shown} to its stub? Your version will be kept as a backup."),
                       assume_yes=args.yes)
    if answer is None:
        return _error(t(f"kata reset: no se puede preguntar (la entrada no es un terminal); nada ha cambiado. "
                        f"Usa `kata reset {step.id} --yes` para confirmar.",
                        f"kata reset: cannot ask (input is not a terminal); nothing changed. "
                        f"Use `kata reset {step.id} --yes` to confirm."), 1)
    if not answer:
        print(t("Nada ha cambiado.", "Nothing changed."))
        return 1
    kept = progress.backup(path, time.strftime("%Y%m%d-%H%M%S")) if path.is_file() else None
    write_atomic(path, stub)
    progress.forget(step, root)
    print(t(f"{shown} vuelve a ser el esqueleto.", f"{shown} is the stub again."))
    if kept:
        print(t(f"Tu versión está en {progress.relative(kept, root)}.", f"Your version is kept in {progress.relative(kept, root)}."))
    return 0
