"""`kata dev release OUT`: write the student bundle (no solutions, no instructor package, no project tests)."""

import sys


def register(sub):
    p = sub.add_parser("release", help="write the student bundle to OUT (without solutions/, kata_dev/, course/ or tests/project/)")
    p.add_argument("out", help="folder to create (it must be new or empty)")
    p.add_argument("--force", action="store_true", help="replace OUT even if it is not empty (an older release)")
    p.set_defaults(func=run_release)


def run_release(args) -> int:
    from kata_dev import release
    from kata.paths import find_root

    try:
        made = release.release(args.out, find_root(), force=args.force)
    except release.ReleaseError as err:
        print(f"kata dev release: {err}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{top}: {n}" for top, n in sorted(made.counts().items()))
    print(f"Student bundle written to {made.out}")
    print(f"  {len(made.files)} files, {made.size() / 1024:.0f} KiB ({counts})")
    print("  checked: no solutions/, kata_dev/, course/, tests/project/ or tests/hidden/, and no solution markers in any file")
    if made.skipped:
        print(f"  not in this repository, so not in the bundle: {', '.join(made.skipped)}")
    print(f"  the student runs: cd {made.out} && pip install -e . && kata")
    return 0
