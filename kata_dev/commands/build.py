"""`kata dev build`: regenerate the stubs and notebooks from solutions/ and the manifest."""

from kata.paths import find_root


def register(sub):
    p = sub.add_parser("build", help="regenerate exercises/ and the notebooks from solutions/ and the manifest")
    p.add_argument("--check", action="store_true", help="only report generated files that are out of date")
    p.set_defaults(func=run_build)


def run_build(args) -> int:
    from kata_dev import build

    root = find_root()
    if args.check:
        stale = build.stale(root)
        for rel in stale:
            print(f"out of date: {rel}")
        print("up to date" if not stale else "run `kata dev build` to regenerate them")
        return 1 if stale else 0
    changed = build.build(root)
    for rel in changed:
        print(f"wrote {rel}")
    print(f"{len(changed)} file(s) regenerated" if changed else "everything was up to date")
    return 0
