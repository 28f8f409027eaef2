"""The grading judge: one process per submission (and per restart), in a sandbox of its own, that
runs the pristine step suites through `kata.judging.plugin` against the submission's modules.

Started by `kata_dev.grader.runner` as `python -I -c ... ROOT IMPL --fd N --lifeline L --worker-fd W
--steps ...` with ROOT the grader's snapshot (tests, solutions, the kata packages) and IMPL a folder
holding only the submission's step modules, both read-only; W is the control socket of the
submission's zygote, which the grader started in the workers' sandbox. This process never
imports, executes or unpickles anything from the submission: it reaches the submission's
functions through the worker protocol. It streams one event per test to the grader, each line
prefixed with a random token read from stdin, and words every message before it leaves: what the
submission's code wrote is withheld from the feedback (`kata.judging.withheld`), and each step's
messages together are bounded.

Events: {"event": "collected", "tests": [...]}, {"event": "start", "nodeid"},
{"event": "outcome", ...one Outcome, with "fault" when the worker stopped...},
{"event": "attempts", "items": [...]}, {"event": "resources", ...},
then {"event": "done"} — or {"event": "restart"} when the zygote was lost and a fresh pair must
grade the steps left.
"""

import argparse
import json
import os
import sys
from pathlib import Path


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


class Stream:
    """The events this judge sends, each step's messages bounded together."""

    def __init__(self, channel, token):
        from kata.judging.limits import FEEDBACK_STEP_CHARS

        self.channel, self.token = channel, token
        self.left = {}
        self.budget = FEEDBACK_STEP_CHARS
        self.lost = False

    def emit(self, event: dict) -> None:
        self.channel.write(f"{self.token} {json.dumps(event)}\n")
        self.channel.flush()

    def listener(self, event, data):
        if event == "outcome":
            if data.fault and data.fault.get("kind") == "lost":
                self.lost = True      # not this test's doing: it runs again with a fresh pair
                return
            left = self.left.get(data.step, self.budget)
            message = data.message if len(data.message) <= left else \
                data.message[:max(left, 0)] + "\n… [the rest of this step's messages were cut]"
            self.left[data.step] = left - len(message)
            data.message = message
            self.emit({"event": "outcome", **data.to_dict()})
        elif event == "collected":
            self.emit({"event": "collected", "tests": data})
        elif event == "start":
            self.emit({"event": "start", "nodeid": data})


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="kata_dev.grader.judge_process", allow_abbrev=False)
    parser.add_argument("root")
    parser.add_argument("impl")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--lifeline", type=int, required=True)
    parser.add_argument("--worker-fd", type=int, required=True)
    parser.add_argument("--steps", nargs="+", required=True)
    parser.add_argument("--sandbox", choices=("bwrap", "none"), default="bwrap")
    parser.add_argument("--memory-mb", type=int, default=0)
    parser.add_argument("--output-mb", type=int, default=0)
    parser.add_argument("--timeout-test", type=float, default=0)
    args = parser.parse_args(argv)

    token = sys.stdin.readline().strip()
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    stream = Stream(os.fdopen(args.fd, "w", encoding="utf-8", buffering=1), token)
    _watch_parent(args.lifeline)
    root = Path(args.root)

    from kata.judging import plugin, suite
    from kata.judging.limits import ATTEMPT_CHARS

    extra = [f"--sandbox={args.sandbox}", f"--worker-fd={args.worker_fd}", f"--worker-memory-mb={args.memory_mb}",
             f"--worker-output-mb={args.output_mb}", f"--test-timeout={args.timeout_test}", "--impl-label=exercises",
             "--withhold-learner-text"]
    recorder = suite.Recorder(stream.listener)
    suite.run(args.steps, args.impl, root=root, hidden=True, extra=extra, recorder=recorder)
    stream.emit({"event": "attempts", "items": [a[:ATTEMPT_CHARS] for a in dict.fromkeys(plugin.ATTEMPTS)][:100]})
    import resource

    # ru_maxrss is in kB on Linux.
    stream.emit({"event": "resources", "judge_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024})
    stream.emit({"event": "restart" if stream.lost else "done"})
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown (TensorFlow's can be slow); an internal error of pytest is the grader's
    # exit code, so that its tests left unreported say so.
    os._exit(3 if recorder.exitstatus == 3 else 0)


if __name__ == "__main__":
    main()
