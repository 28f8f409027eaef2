"""TensorFlow without its C++ start-up lines.

Importing TensorFlow 2.21 and running its first operation print lines such as
"failed call to cuInit: … UNKNOWN ERROR (303)" straight to file descriptor 2, which looks like a
failure to a learner and which TF_CPP_MIN_LOG_LEVEL does not stop. `tensorflow()` imports it with
that descriptor pointed at a temporary file, and shows what was printed only if the import fails.
"""

import os
import sys
import tempfile
from contextlib import contextmanager


@contextmanager
def stderr_kept():
    """Send what is written to fd 2 inside the block to a file; yields a function returning that text."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)

        def text():
            sink.seek(0)
            return sink.read().decode("utf-8", "replace")

        try:
            yield text
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def tensorflow():
    """`import tensorflow` (and the first operation, which initialises the devices), quietly."""
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with stderr_kept() as printed:
        try:
            import tensorflow as tf

            tf.constant(0)
        except BaseException:
            sys.stderr.write(printed())
            raise
    return tf
