"""The learner's code runs in a worker process; the tests (the judge) reach it through a narrow,
typed protocol.

Judge side: remote.py (modules and calls), process.py (worker processes, forked from a zygote or
started one by one), sync.py (what a call changed), errors.py. Worker side: server.py (requests),
zygote.py (the fork server), calls.py, loading.py, attempts.py. Both: codec.py (what crosses),
protocol.py (frames), figures.py, keras_plain.py, describe.py; sandbox.py and cgroups.py start
them inside bubblewrap. What step tests use is here:
"""

from kata.worker.codec import InputFolder, Opaque, OutputFile  # noqa: F401
from kata.worker.errors import LearnerError  # noqa: F401
from kata.worker.remote import last_call, patched  # noqa: F401
