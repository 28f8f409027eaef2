"""`kata status` (and a bare `kata`): every step done, failing or not started, and the next one."""

import sys

from kata.commands.common import add_lang, apply_lang
from kata.i18n import t

PUBLIC_NOTE = ("tests públicos: tu profesor puede evaluar con más",
               "public tests — your instructor may grade with more")


def register(sub):
    p = sub.add_parser("status", help=t("tu progreso: pasos hechos, con fallos y sin empezar, y el siguiente",
                                        "your progress: steps done, failing and not started, and the next one"))
    add_lang(p)
    p.set_defaults(func=run_status)


def state_label(status) -> str:
    from kata import status as st

    return {
        st.DONE: t("hecho ✓", "done ✓"),
        st.FAILING: t(f"falla ({status.passed}/{status.total})", f"failing ({status.passed}/{status.total})")
        + (t(f" · arregla antes {', '.join(status.blocked_by)}", f" · fix {', '.join(status.blocked_by)} first")
           if status.blocked_by else ""),
        st.NOT_STARTED: t("sin empezar", "not started"),
        st.NO_TESTS: t("sin tests públicos aún", "no public tests yet"),
        st.UNKNOWN: t("sin comprobar", "not checked"),
    }[status.state]


def announce_run(steps) -> None:
    names = ", ".join(s.id for s in steps)
    print(t(f"Comprobando {names}…", f"Checking {names}…"), file=sys.stderr, flush=True)


def run_status(args) -> int:
    from kata import status
    from kata.paths import find_root
    from kata.i18n import number

    apply_lang(args)
    root = find_root()
    found = status.statuses(root, on_run=announce_run)
    earned = sum(st.points for st in found)
    total = sum(st.step.points for st in found)
    heading = t(f"cnn-kata · {number(earned)}/{number(total)} puntos ({PUBLIC_NOTE[0]})",
                f"cnn-kata · {number(earned)}/{number(total)} points ({PUBLIC_NOTE[1]})")
    if sys.stdout.isatty():
        _table(found, root, heading)
    else:
        _plain(found, root, heading)
    print_next(status.next_step(found), root)
    print_feedback(status.instructor_feedback(root), root)
    return 0


def _rows(found, root):
    from kata.paths import exercise_path, relative
    from kata.i18n import number

    for st in found:
        yield (str(st.step.number), st.step.id, state_label(st),
               f"{number(st.points)}/{number(st.step.points)}",
               relative(exercise_path(st.step, root), root), st.state)


def _plain(found, root, heading) -> None:
    print(heading)
    for n, step_id, label, points, path, _ in _rows(found, root):
        print(f"{n:>3}. {step_id:<16} {label:<24} {points:>5}  {path}")


def _table(found, root, heading) -> None:
    from rich.console import Console
    from rich.table import Table

    from kata import status

    styles = {status.DONE: "green", status.FAILING: "red", status.NOT_STARTED: "dim"}
    table = Table(title=heading, title_justify="left")
    for column in ("#", t("paso", "step"), t("estado", "state"), t("puntos", "points"), t("fichero", "file")):
        table.add_column(column, no_wrap=True)
    for *cells, state in _rows(found, root):
        table.add_row(*cells, style=styles.get(state, ""))
    Console().print(table)


def print_next(status, root) -> None:
    from kata.paths import exercise_path, relative

    if status is None:
        print(t("¡Todos los pasos están hechos! Enhorabuena.", "Every step is done! Well done."))
        return
    step = status.step
    path = relative(exercise_path(step, root), root)
    print(t(f"Siguiente: {step.id} — {step.title()} → {path}",
            f"Next: {step.id} — {step.title()} → {path}"))
    print(t(f"  Edítalo y ejecuta `kata check` (o `kata watch`); `kata hint {step.id}` da una pista.",
            f"  Edit it, then run `kata check` (or `kata watch`); `kata hint {step.id}` gives a hint."))


def print_feedback(files, root) -> None:
    """Where the feedback your instructor published is, when there is some (kata dev publish puts it there)."""
    from kata.paths import relative

    if not files:
        return
    newest = relative(files[0], root)
    page = files[0].with_suffix(".html")
    also = t(f" (y {relative(page, root)}, para verla en el navegador)", f" (and {relative(page, root)}, to read it in a browser)") \
        if page.is_file() else ""
    print(t(f"Tu profesor te ha dejado sus comentarios en {newest}{also}.",
            f"Your instructor's feedback is in {newest}{also}."))
