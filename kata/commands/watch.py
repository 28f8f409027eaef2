"""`kata watch [STEP]`: re-check each time a file in exercises/ is saved, until Ctrl-C."""

import os
import sys

from kata.commands.common import add_lang, apply_lang, choose_step, error
from kata.i18n import t


def register(sub):
    p = sub.add_parser("watch", help=t("vuelve a comprobar cada vez que guardas un fichero de exercises/",
                                       "re-check whenever a file in exercises/ changes"))
    p.add_argument("step", nargs="?", help=t("el paso (por defecto, el siguiente sin terminar, cada vez)",
                                             "step id (default: the next unfinished step, each time)"))
    p.add_argument("--interval", type=float, default=1.0,
                   help=t("segundos entre miradas a los ficheros (por defecto 1)", "seconds between looks at the files (default 1)"))
    add_lang(p)
    p.set_defaults(func=run_watch)


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

    from kata import watch
    from kata.i18n import language
    from kata.paths import exercises_dir, find_root, relative

    apply_lang(args)
    root = find_root()
    if args.step:
        step, code = choose_step(args.step, root)
        if step is None:
            return code
    if args.interval <= 0:
        return error(t("kata watch: --interval debe ser mayor que 0", "kata watch: --interval must be above 0"))
    command = check_command(args.step, language(getattr(args, "lang", None)))
    env = {**os.environ, "KATA_ROOT": str(root)}
    stop = t("Ctrl-C para salir", "Ctrl-C to stop")
    folder = relative(exercises_dir(root), root)

    def on_change(changed):
        when = time.strftime("%H:%M:%S")
        what = ", ".join(changed) if changed else t("inicio", "start")
        print(f"\n── {when} · {what} ─────────────", flush=True)
        # A subprocess imports the edited module afresh, and a crash in it cannot stop watch.
        subprocess.run(command, cwd=root, env=env, check=False)
        print(t(f"Vigilando {folder}/ ({stop})…", f"Watching {folder}/ ({stop})…"), flush=True)

    try:
        watch.watch_files(exercises_dir(root), on_change, interval=args.interval)
    except KeyboardInterrupt:
        print(t("\nHasta luego.", "\nBye."))
    return 0
