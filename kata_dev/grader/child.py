"""The grading child: runs the pristine step tests against one submission and streams outcomes.

Started by `kata_dev.grader.runner` as `python -I -c ... ROOT IMPL --fd N --steps ...`, in its own session,
with a private temporary working directory. It reads a random token from stdin (then stdin is
closed) and writes every event as one line `<token> <json>` to the inherited file descriptor N.
The parent ignores lines without the token, so output the submission prints, or a results file it
writes, is never taken for a result.

Events: {"event": "collected", "tests": [...]}, {"event": "start", "nodeid"},
{"event": "outcome", ...one test...}, {"event": "done", "exit": code}.
"""

import argparse
import errno
import faulthandler
import json
import os
import resource
import sys

OUTPUT_CHARS = 2000


def apply_limits(memory_mb: int, output_mb: int) -> None:
    """Hard limits, so the submission cannot raise them again: address space, file size, no cores."""
    if memory_mb:
        size = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
    if output_mb:
        size = output_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _clip(text: str, limit: int = OUTPUT_CHARS) -> str:
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n… [{len(text) - limit} characters cut] …\n{text[-half:]}"


def make_plugin(emit, impl_dir: str, memory_mb: int, timeout_test: float, output_mb: int, log):
    """The pytest plugin: kata.suite's recorder, streaming each outcome as it comes."""
    import pytest

    from kata.suite import Recorder

    impl_prefix = os.path.realpath(impl_dir) + os.sep

    class Streaming(Recorder):
        def pytest_collection_finish(self, session):
            tests = [{"nodeid": item.nodeid, "step": item.path.stem.removeprefix("test_"), "name": item.name}
                     for item in session.items]
            emit({"event": "collected", "tests": tests})

        def pytest_collectreport(self, report):
            if report.failed:
                emit({"event": "collect_error", "nodeid": report.nodeid, "message": _clip(str(report.longrepr), 4000)})

        def pytest_runtest_logstart(self, nodeid, location):
            emit({"event": "start", "nodeid": nodeid})
            if timeout_test:
                # Shows where a looping test was stuck (stderr) just before the parent kills it.
                faulthandler.dump_traceback_later(timeout_test * 0.9, repeat=False, file=log)

        def pytest_runtest_logfinish(self, nodeid, location):
            faulthandler.cancel_dump_traceback_later()

        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_makereport(self, item, call):
            outcome = yield
            report = outcome.get_result()
            excinfo = call.excinfo
            if excinfo is None:
                return
            if report.skipped and _raised_in_submission(excinfo):
                report.outcome = "failed"
                report.longrepr = ("the submission itself skipped this test (pytest.skip/xfail in your code): "
                                   "a skipped test does not count as passed")
            elif isinstance(excinfo.value, MemoryError):
                report.longrepr = (f"MemoryError: the code needed more memory than the grader allows "
                                   f"({memory_mb} MB of address space)")
            elif isinstance(excinfo.value, OSError) and excinfo.value.errno == errno.EFBIG:
                report.longrepr = (f"the code wrote more than {output_mb} MB (printing or writing files), "
                                   f"the grader's output limit: {excinfo.value}")
            elif isinstance(excinfo.value, SystemExit):
                report.longrepr = (f"the code called sys.exit({excinfo.value.code!r}) (SystemExit): a graded function "
                                   f"must return its result, never end the program")

        def pytest_runtest_logreport(self, report):
            before = len(self.outcomes)
            super().pytest_runtest_logreport(report)
            if len(self.outcomes) > before:
                o = self.outcomes[-1]
                output = "".join(f"--- {name} ---\n{text}" for name, text in report.sections
                                 if name.startswith("Captured"))
                emit({"event": "outcome", "nodeid": report.nodeid, "step": o.step, "name": o.name,
                      "status": o.status, "message": _clip(o.message, 4000), "seconds": round(o.seconds, 3),
                      "output": _clip(output)})

    def _raised_in_submission(excinfo) -> bool:
        return any(os.path.realpath(str(entry.path)).startswith(impl_prefix) for entry in excinfo.traceback)

    return Streaming()


def _watch_parent(fd: int) -> None:
    """End this process group when the grader dies: the parent holds the other end of `fd`."""
    import signal
    import threading

    def watch():
        while True:
            try:
                if not os.read(fd, 1):
                    break
            except InterruptedError:
                continue
            except OSError:
                break
        os.killpg(0, signal.SIGKILL)

    threading.Thread(target=watch, name="grader-lifeline", daemon=True).start()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="kata_dev.grader.child")
    parser.add_argument("root")
    parser.add_argument("impl")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--lifeline", type=int, required=True)
    parser.add_argument("--steps", nargs="+", required=True)
    parser.add_argument("--memory-mb", type=int, default=0)
    parser.add_argument("--output-mb", type=int, default=0)
    parser.add_argument("--timeout-test", type=float, default=0)
    args = parser.parse_args(argv)

    token = sys.stdin.readline().strip()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    channel = os.fdopen(args.fd, "w", encoding="utf-8", buffering=1)
    _watch_parent(args.lifeline)
    apply_limits(args.memory_mb, args.output_mb)
    # pytest captures fd 2 during tests: keep the real stderr (a log file) for crash and hang dumps.
    log = os.fdopen(os.dup(2), "w")
    faulthandler.enable(file=log)

    def emit(event):
        channel.write(f"{token} {json.dumps(event)}\n")
        channel.flush()

    import pytest

    from kata.suite import pytest_args

    plugin = make_plugin(emit, args.impl, args.memory_mb, args.timeout_test, args.output_mb, log)
    code = pytest.main(pytest_args(args.steps, args.impl, root=args.root), plugins=[plugin])
    emit({"event": "done", "exit": int(code)})
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # skip interpreter teardown: TensorFlow's can be slow, and atexit hooks are the submission's


if __name__ == "__main__":
    main()
