"""cnn-kata: build a convolutional network for Fashion-MNIST, step by step, guided by tests.

`kata.check("conv2d")` runs one step's tests from a notebook; the `kata` command does the rest.
"""

__version__ = "0.1.0"


def check(step=None, impl="exercises", lang=None):
    """Run a step's tests and print a short digest; returns True when they all pass."""
    from kata.checking import check_step_verbose

    return check_step_verbose(step, impl=impl, lang=lang)
