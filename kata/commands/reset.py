"""`kata reset STEP`: put the original stub back, keeping the learner's file as a backup."""

import sys

from kata.commands.common import add_lang, apply_lang, choose_step, error
from kata.i18n import t


def register(sub):
    p = sub.add_parser("reset", help=t("restaura el esqueleto de un paso, guardando tu versión como copia",
                                       "restore a step's stub, keeping your file as a backup"))
    p.add_argument("step", help=t("el paso", "step id"))
    p.add_argument("--yes", "-y", action="store_true", help=t("no pedir confirmación", "do not ask for confirmation"))
    add_lang(p)
    p.set_defaults(func=run_reset)


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

    from kata import state
    from kata.files import backup, write_atomic
    from kata.paths import exercise_path, find_root, relative
    from kata.stubs import PRISTINE_DIR, stub_text

    apply_lang(args)
    root = find_root()
    step, code = choose_step(args.step, root)
    if step is None:
        return code
    stub = stub_text(step, root)
    if stub is None:
        return error(t(f"kata reset: no se encuentra el esqueleto de {step.filename} (ni solutions/ ni {PRISTINE_DIR}/)",
                       f"kata reset: cannot find the stub of {step.filename} (neither solutions/ nor {PRISTINE_DIR}/)"))
    path = exercise_path(step, root)
    shown = relative(path, root)
    if path.is_file() and path.read_text(encoding="utf-8", errors="replace") == stub:
        state.forget(step, root)
        print(t(f"{shown} ya es el esqueleto original: nada que hacer.", f"{shown} is already the original stub: nothing to do."))
        return 0
    answer = confirmed(t(f"¿Restaurar {shown} a su esqueleto? Tu versión se guardará como copia.",
                         f"Restore {shown} to its stub? Your version will be kept as a backup."),
                       assume_yes=args.yes)
    if answer is None:
        return error(t(f"kata reset: no se puede preguntar (la entrada no es un terminal); nada ha cambiado. "
                       f"Usa `kata reset {step.id} --yes` para confirmar.",
                       f"kata reset: cannot ask (input is not a terminal); nothing changed. "
                       f"Use `kata reset {step.id} --yes` to confirm."), 1)
    if not answer:
        print(t("Nada ha cambiado.", "Nothing changed."))
        return 1
    kept = backup(path, time.strftime("%Y%m%d-%H%M%S")) if path.is_file() else None
    write_atomic(path, stub)
    state.forget(step, root)
    print(t(f"{shown} vuelve a ser el esqueleto; las pistas empiezan de nuevo.",
            f"{shown} is the stub again; its hints start over."))
    if kept:
        print(t(f"Tu versión está en {relative(kept, root)}.", f"Your version is kept in {relative(kept, root)}."))
    return 0
