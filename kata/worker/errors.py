"""What a call into the learner's code can raise on the judge's side.

`LearnerError`: the learner's own exception, rebuilt from its description as an exception of the
same kind (a ValueError, a tf.errors.InvalidArgumentError…), so tests can catch it as they would.
`WorkerFault` and its kinds: the worker stopped or misbehaved (not an exception of the learner's
code). `WorkerStartFailed`: a problem of this machine before any learner code ran.
"""

import builtins
import signal
import sys


class WorkerFault(Exception):
    """The worker stopped or misbehaved during a call (not an exception of the learner's code)."""

    kind = "crash"

    def __init__(self, call, detail, stderr=""):
        super().__init__(detail)
        self.call, self.detail, self.stderr = call, detail, stderr


class WorkerCrashed(WorkerFault):
    """The worker process died during the call: a signal, os._exit, an abort, the memory limit."""

    def __init__(self, call, detail, stderr="", returncode=None, out_of_memory=False):
        super().__init__(call, detail, stderr)
        self.returncode = returncode
        self.kind = "memory" if out_of_memory or returncode == -signal.SIGKILL else "crash"
        self.confirmable = False    # set when a retry in a fresh worker could tell who caused it


class WorkerTimeout(WorkerFault):
    """The call ran past the test's deadline; the worker was stopped."""

    kind = "timeout"

    def __init__(self, call, detail, stderr="", seconds=None):
        super().__init__(call, detail, stderr)
        self.seconds = seconds      # the test's time budget


class WorkerProtocolError(WorkerFault):
    """The worker sent something that is not a valid answer (the learner's code wrote on its channel?)."""

    kind = "protocol"


class WorkerStartFailed(Exception):
    """The worker died or stayed silent before it was ready, before any learner code ran: a problem
    of this machine (too little memory for Python, a broken install, no sandbox), not of the code."""

    kind = "startup"

    def __init__(self, detail, stderr=""):
        super().__init__(f"the process that runs the code under test could not start ({detail}); its output "
                         f"ends with:\n{stderr[-1500:]}")
        self.detail, self.stderr = detail, stderr


class WorkerHostLost(WorkerStartFailed):
    """The zygote this judge was given (the grader's, in its sandbox) is gone: this judge cannot
    start another worker, and the grader starts a fresh pair for the steps left."""


class LearnerError(Exception):
    """An exception raised by the learner's code, rebuilt here from its description."""

    def __init__(self, description: dict, call=None):
        # Exception's own __init__, not the mixed-in class's (tf.errors.OpError wants node_def, op, message).
        Exception.__init__(self, description.get("message", ""))
        self.description = description
        self.call = call

    def __str__(self):
        return str(self.description.get("message", ""))

    @property
    def type_name(self) -> str:
        return str(self.description.get("type", "Exception"))

    @property
    def frames(self) -> list:
        return [f for f in self.description.get("frames", []) if isinstance(f, list) and len(f) == 4]


BUILTIN_ERRORS = {name: getattr(builtins, name, None)
                  for name in ("ValueError", "TypeError", "IndexError", "KeyError", "AttributeError",
                               "ZeroDivisionError", "ArithmeticError", "OverflowError", "FloatingPointError",
                               "NameError", "UnboundLocalError", "RuntimeError", "RecursionError",
                               "NotImplementedError", "AssertionError", "MemoryError", "OSError",
                               "FileNotFoundError", "PermissionError", "IsADirectoryError", "ImportError",
                               "ModuleNotFoundError", "LookupError", "UnicodeError", "EOFError", "SystemExit",
                               "KeyboardInterrupt", "StopIteration", "Exception", "BaseException")}
_CLASSES = {}
DESCRIPTION_KEYS = ("type", "module", "bases", "message", "frames", "stub", "stub_step", "exit_code", "errno",
                    "syntax", "line", "text", "file")


def checked_description(error) -> dict:
    """The fields of an error description the judge reads, and nothing else."""
    if not isinstance(error, dict):
        return {"type": "Exception", "message": "the code under test failed in a way the worker could not describe"}
    return {k: v for k, v in error.items() if k in DESCRIPTION_KEYS}


def learner_error(description: dict, call=None) -> Exception:
    """The learner's exception as an exception of the same kind here (LearnerError mixed in)."""
    description = checked_description(description)
    if description.get("stub"):
        # The stub's own NotImplementedError: the tests and `kata.stubs` recognise it by its text.
        return _learner_class("NotImplementedError", NotImplementedError)(description, call)
    base = None
    module = str(description.get("module", ""))
    if module.startswith("tensorflow") and "tensorflow" in sys.modules:
        base = getattr(sys.modules["tensorflow"].errors, str(description.get("type")), None)
        if not (isinstance(base, type) and issubclass(base, sys.modules["tensorflow"].errors.OpError)):
            base = None
    if base is None:
        for name in [description.get("type"), *description.get("bases", [])]:
            if isinstance(name, str) and BUILTIN_ERRORS.get(name) is not None and name not in (
                    "SystemExit", "KeyboardInterrupt", "BaseException"):
                base = BUILTIN_ERRORS[name]
                break
    return _learner_class(str(description.get("type")), base)(description, call)


def _learner_class(name: str, base):
    key = (name, base)
    if key not in _CLASSES:
        bases = (LearnerError,) if base is None or base is Exception else (LearnerError, base)
        namespace = {"__init__": LearnerError.__init__, "__str__": LearnerError.__str__,
                     "__module__": "kata.worker.learner"}
        if base is not None and isinstance(getattr(base, "message", None), property):
            namespace["message"] = property(lambda self: str(self))   # tf.errors.OpError reads .message
        _CLASSES[key] = type(_class_name(name), bases, namespace)
    return _CLASSES[key]


def _class_name(name: str) -> str:
    short = name.split(".")[-1][:80]
    return short if short.isidentifier() else "LearnerError"


def death(returncode) -> str:
    """How a process ended, in words: "killed by SIGSEGV", "exit code 3"."""
    if returncode is None:
        return "the worker stopped"
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"
