"""cnn-kata: build a convolutional network for Fashion-MNIST, step by step, guided by tests.

`kata.check("conv2d")` runs one step's tests from a notebook; the `kata` command does the rest.
"""

__version__ = "0.2.0"


def check(step=None, impl="exercises", lang=None) -> bool:
    """Run a step's public tests (the next unfinished one when none is named) and print a short
    digest in the learner's language; True when they all pass."""
    import os

    from kata import status
    from kata.judging import suite, verdict
    from kata.paths import find_root

    chosen = status.choose(step)
    saved = os.environ.get("KATA_LANG")
    if lang:  # the tests' own messages follow KATA_LANG: keep the whole digest in one language
        os.environ["KATA_LANG"] = lang
    try:
        ok, text = verdict.summary(chosen, suite.run([chosen.id], impl), lang)
        if not ok and impl == "exercises":
            blocking = status.blockers(chosen)
            if blocking:
                text = "\n".join([f"✗ {chosen.id}: " + status.blocker_lines(blocking, find_root(), lang)[0],
                                   *status.blocker_lines(blocking, find_root(), lang)[1:], text])
    finally:
        if saved is None:
            os.environ.pop("KATA_LANG", None)
        else:
            os.environ["KATA_LANG"] = saved
    print(text)
    return ok
