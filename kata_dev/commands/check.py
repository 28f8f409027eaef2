"""`kata dev check`: the kata is whole (see kata_dev/devcheck.py); `--prove` also runs the proofs."""

import sys


def register(sub):
    p = sub.add_parser("check", help="prove the kata is whole: every step has its solution, stub, suite, lesson, "
                                     "hints, mutants and alternative, and every file names a real step")
    p.add_argument("--prove", action="store_true",
                   help="also run the suites: every stub fails, every mutant is rejected, every alternative passes")
    p.add_argument("--repeat", type=int, default=0, metavar="N",
                   help="also run the solutions, every mutant and every alternative N times (fresh processes) and "
                        "report any test whose verdict changes (slow: a few minutes per round)")
    p.set_defaults(func=run_check)


def run_check(args) -> int:
    from kata.paths import find_root
    from kata_dev import devcheck

    root = find_root()
    found = devcheck.problems(root)
    for problem in found:
        print(f"✗ {problem}")
    if args.prove and not found:
        from kata_dev import proof

        found = proof.disproved(root, log=lambda line: print(line, flush=True))
        for problem in found:
            print(f"✗ {problem}")
    if args.repeat > 1 and not found:
        from kata_dev import proof

        found = proof.nondeterministic(args.repeat, log=lambda line: print(line, flush=True))
        for problem in found:
            print(f"✗ {problem}")
    if found:
        print(f"{len(found)} problem(s)", file=sys.stderr)
        return 1
    print("✓ the kata is whole" + (" and every proof holds" if args.prove else "")
          + (f" and gives the same verdicts {args.repeat} times" if args.repeat > 1 else ""))
    return 0
