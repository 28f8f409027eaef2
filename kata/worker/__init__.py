"""The learner's code runs in a worker process; the tests (the judge) reach it through a narrow,
typed protocol. See client.py (the judge's side), server.py (the worker), codec.py (what crosses),
figures.py, keras_safe.py and sandbox.py.
"""

from kata.worker.client import last_call, patched  # noqa: F401
from kata.worker.codec import InputFolder, OutputFile, Opaque  # noqa: F401
