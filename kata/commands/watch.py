"""`kata watch [STEP]`: check at once each time a file in exercises/ is saved, until Ctrl-C."""

from kata.commands.common import add_lang, apply_lang, choose_step
from kata.i18n import t


def register(sub):
    p = sub.add_parser("watch", help=t("vuelve a comprobar en cuanto guardas un fichero de exercises/",
                                       "re-check as soon as a file in exercises/ is saved"))
    p.add_argument("step", nargs="?", help=t("el paso (por defecto, el siguiente sin terminar, cada vez)",
                                             "step id (default: the next unfinished step, each time)"))
    add_lang(p)
    p.set_defaults(func=run_watch)


def run_watch(args) -> int:
    from kata import warm, watch
    from kata.i18n import language
    from kata.paths import exercises_dir, find_root

    apply_lang(args)
    root = find_root()
    if args.step:
        step, code = choose_step(args.step, root)
        if step is None:
            return code
    judge = warm.WarmJudge(root)
    judge.serve()
    try:
        watch.loop(judge, exercises_dir(root), watch.check_argv(args.step, language(getattr(args, "lang", None))))
    except KeyboardInterrupt:
        print(t("\nHasta luego.", "\nBye."))
    finally:
        judge.close()
    return 0
