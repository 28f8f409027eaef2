"""`kata dev messages STEP`: every mutant's and corpus case's first message, in both languages."""


def register(sub):
    p = sub.add_parser("messages", help="print the first message a learner reads for every mutant and corpus case "
                                        "of a step, in Spanish and English (for reviewing the wording)")
    p.add_argument("step", help="step id")
    p.set_defaults(func=run_messages)


def run_messages(args) -> int:
    import sys

    from kata import manifest
    from kata_dev import messages

    try:
        step = manifest.get(args.step)
    except manifest.ManifestError as err:
        print(f"kata dev messages: {err}", file=sys.stderr)
        return 2
    print(messages.page(step.id))
    return 0
