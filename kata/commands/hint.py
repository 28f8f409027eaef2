"""`kata hint [STEP] [N]`: the next hint of a step, or hint N; they go from the idea to the code."""

from kata.commands.common import add_lang, apply_lang, choose_step, error
from kata.i18n import t


def register(sub):
    p = sub.add_parser("hint", help=t("la siguiente pista de un paso, o la pista N", "the next hint of a step, or hint N"))
    p.add_argument("step", nargs="?", help=t("el paso (por defecto, el siguiente sin terminar)",
                                             "step id (default: the next unfinished step)"))
    p.add_argument("n", nargs="?", help=t("qué pista, desde 1 (por defecto, la siguiente que no has visto)",
                                          "which hint, from 1 (default: the next one not yet shown)"))
    add_lang(p)
    p.set_defaults(func=run_hint)


def run_hint(args) -> int:
    from kata import state
    from kata.paths import find_root

    apply_lang(args)
    root = find_root()
    step_id, number = args.step, args.n
    if step_id and step_id.isdigit() and number is None:   # `kata hint 2`: hint 2 of the current step
        step_id, number = None, step_id
    if number is not None and not number.isdigit():
        return error(t(f"kata hint: N debe ser un número (1, 2, …), no {number!r}",
                       f"kata hint: N must be a number (1, 2, …), not {number!r}"))
    step, code = choose_step(step_id, root)
    if step is None:
        return code
    try:
        n, count, text = state.hint(step, int(number) if number else None, root=root)
    except ValueError as err:
        return error(f"kata hint: {err}")
    print(t(f"Pista {n}/{count} · {step.id} — {step.title()}", f"Hint {n}/{count} · {step.id} — {step.title()}"))
    print(f"  {text}")
    if n < count:
        print(t(f"(`kata hint {step.id}` muestra la siguiente)", f"(`kata hint {step.id}` shows the next one)"))
    else:
        print(t("(era la última pista)", "(that was the last hint)"))
    return 0
