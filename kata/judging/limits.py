"""Every limit of the judging chain, in one place: time, memory, output, and how much text crosses.

The judge (`kata.judging.plugin`), the worker (`kata.worker`), the sandbox and the batch grader
(`kata_dev.grader`) all read them from here; a command-line option that changes one changes the
field of `Limits`, never a copy of the number.
"""

from dataclasses import dataclass, replace

# ------------------------------------------------------------------ time (seconds)
TEST_SECONDS = 300.0            # the calls of one test into the learner's code
STARTUP_SECONDS = 60.0          # a worker's Python (and TensorFlow) start, never charged to a test
JUDGE_STARTUP_SECONDS = 90.0    # the grader's judge: pytest and TensorFlow before its first test
SUBMISSION_SECONDS = 1800.0     # one submission, every step, in the batch grader

# ------------------------------------------------------------------ memory and processes
GRADING_MEMORY_MB = 8192        # a graded submission's sandbox (address space per process; RAM of the whole sandbox)
JUDGE_MEMORY_MB = 4096          # the grader's judge, in its own sandbox
SANDBOX_PROCESSES = 256         # processes and threads of one sandbox (TensorFlow starts about 40)
SANDBOX_TMP_MB = 512            # its private /tmp (and HOME)
SANDBOX_SHM_MB = 64             # its private /dev/shm

# ------------------------------------------------------------------ output
OUTPUT_MB = 64                  # what the learner's code may print or write in one worker

# ------------------------------------------------------------------ what crosses from the worker, per reply
REPLY_BASE_BYTES = 64 * 2**20   # any reply may be this large …
REPLY_PER_SENT_BYTE = 16        # … plus 16 bytes per byte the request sent (float32 arrays from uint8 files)
REPLY_MAX_BYTES = 1024 * 2**20  # never more
MAX_ARRAY_RANK = 8
MAX_ARRAY_DIMENSION = 2**31
MAX_FIGURES = 32                # per reply; then per figure and per Axes:
MAX_AXES = 64
MAX_ARTISTS = 256               # lines, images or texts of one Axes
MAX_MODEL_LAYERS = 64

# ------------------------------------------------------------------ text kept per test (characters)
MESSAGE_CHARS = 4000            # a test's failure message
OUTPUT_CHARS = 2000             # what a call printed, as sent back by the worker
ERROR_CHARS = 2000              # an exception's message, as sent back by the worker
LEARNER_TEXT_CHARS = 600        # an exception's message inside a learner-facing failure message
STDERR_KEEP = 16_000            # the end of a worker's C-level output, for crash diagnoses
ATTEMPTS_PER_REPLY = 50         # what the learner's code tried that the sandbox stops, per reply
ATTEMPT_CHARS = 300
FEEDBACK_STEP_CHARS = 3000      # every message of one step together, in a graded submission's results


@dataclass(frozen=True)
class Limits:
    """The limits one run applies: per test, per submission, memory, output, and the sandbox.

    memory_mb 0 means none (a learner's own checks); sandbox "bwrap" or "none".
    """

    test_seconds: float = TEST_SECONDS
    submission_seconds: float = SUBMISSION_SECONDS
    memory_mb: int = 0
    output_mb: int = OUTPUT_MB
    sandbox: str = "none"

    def with_(self, **changes) -> "Limits":
        return replace(self, **changes)


GRADING = Limits(memory_mb=GRADING_MEMORY_MB, sandbox="bwrap")


def local_memory_mb() -> int:
    """A learner's own checks: each worker's address space, so that code that eats memory ends in a
    MemoryError of its own test instead of the machine's swap (TensorFlow reserves about 3 GB of it)."""
    import os

    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (ValueError, OSError, AttributeError):
        return GRADING_MEMORY_MB
    return max(4096, min(GRADING_MEMORY_MB, physical // 2 + 3072))


def reply_budget(sent_bytes: int) -> int:
    """The most bytes a worker's reply may carry, given what its request sent."""
    return min(REPLY_MAX_BYTES, REPLY_BASE_BYTES + REPLY_PER_SENT_BYTE * max(0, sent_bytes))


def cut(text: str, limit: int) -> str:
    """`text`, with what goes past `limit` characters replaced by a note of how much was cut."""
    return text if len(text) <= limit else text[:limit] + f"\n… ({len(text) - limit} characters cut)"
