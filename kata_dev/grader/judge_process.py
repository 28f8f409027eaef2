"""The grading judge: one process per submission (and per restart) that runs the pristine step
suites through `kata.judge` against the submission's modules, whose code runs in sandboxed workers.

Started by `kata_dev.grader.runner` as `python -I -c ... ROOT IMPL --fd N --lifeline L --steps ...`
with ROOT a fresh copy of the grader's snapshot (tests, solutions, the kata packages) and IMPL a
folder holding only the submission's step modules. This process never imports, executes or
unpickles anything from the submission: it reaches the submission's functions through the worker
protocol. It streams one event per test to the grader, each line prefixed with a random token read
from stdin, and words every message before it leaves: student-controlled text is bounded, and any
line of the reference solutions it contains is blanked out.

Events: {"event": "collected", "tests": [...]}, {"event": "start", "nodeid"},
{"event": "outcome", ...one test, with "fault" when the worker stopped...},
{"event": "attempts", "items": [...]}, {"event": "done", "exit": code}.
"""

import argparse
import json
import os
import sys
from pathlib import Path

MESSAGE_CHARS = 3000
STEP_MESSAGE_CHARS = 3000      # all the messages of one step together
OUTPUT_CHARS = 2000
MIN_REDACTED = 12


def reference_lines(root: Path) -> list:
    """The lines of the reference solutions long enough to be worth hiding from feedback."""
    lines = set()
    for path in sorted((root / "solutions").glob("*.py")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line) >= MIN_REDACTED and not line.startswith("#"):
                lines.add(line)
    return sorted(lines, key=len, reverse=True)


def redact(text: str, lines) -> str:
    """`text` with every reference line it contains replaced by "[…]"."""
    for line in lines:
        if line in text:
            text = text.replace(line, "[…]")
    return text


def grading_order(step_ids, root) -> list:
    """Steps that use fewer references first: then one worker can grade them all, never holding a
    reference the step being graded does not use (see kata.judge)."""
    from kata import manifest

    steps = [manifest.get(s, root) for s in step_ids]
    return [s.id for s in sorted(steps, key=lambda s: (len(manifest.dependencies(s, root)), s.number))]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}\n… [{len(text) - limit} characters cut]"


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
    parser = argparse.ArgumentParser(prog="kata_dev.grader.judge_process", allow_abbrev=False)
    parser.add_argument("root")
    parser.add_argument("impl")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--lifeline", type=int, required=True)
    parser.add_argument("--steps", nargs="+", required=True)
    parser.add_argument("--sandbox", choices=("bwrap", "none"), default="bwrap")
    parser.add_argument("--memory-mb", type=int, default=0)
    parser.add_argument("--output-mb", type=int, default=64)
    parser.add_argument("--timeout-test", type=float, default=300)
    args = parser.parse_args(argv)

    token = sys.stdin.readline().strip()
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    channel = os.fdopen(args.fd, "w", encoding="utf-8", buffering=1)
    _watch_parent(args.lifeline)
    root = Path(args.root)
    lines = reference_lines(root)

    def emit(event):
        channel.write(f"{token} {json.dumps(event)}\n")
        channel.flush()

    spent = {}

    def listener(event, data):
        if event == "outcome":
            record = {k: getattr(data, k) for k in ("nodeid", "step", "name", "status", "seconds")}
            message = _clip(redact(data.message, lines), MESSAGE_CHARS)
            left = STEP_MESSAGE_CHARS - spent.get(data.step, 0)
            if len(message) > left:
                message = message[:max(left, 0)] + "\n… [the rest of this step's messages were cut]"
            spent[data.step] = spent.get(data.step, 0) + len(message)
            record["message"] = message
            record["output"] = _clip(redact(data.output, lines), OUTPUT_CHARS)
            if data.fault:
                record["fault"] = {"kind": str(data.fault.get("kind")), "reason": redact(str(data.fault.get("reason")), lines)}
            emit({"event": "outcome", **record})
        elif event == "collected":
            emit({"event": "collected", "tests": data})
        elif event == "start":
            emit({"event": "start", "nodeid": data})

    from kata import judge, suite

    extra = [f"--sandbox={args.sandbox}", f"--worker-memory-mb={args.memory_mb}",
             f"--worker-output-mb={args.output_mb}", f"--test-timeout={args.timeout_test}", "--impl-label=exercises"]
    suite.run(grading_order(args.steps, root), args.impl, root=root, listener=listener, hidden=True, extra=extra)
    emit({"event": "attempts", "items": [redact(a, lines)[:300] for a in dict.fromkeys(judge.ATTEMPTS)][:100]})
    import resource

    # ru_maxrss is in kB on Linux; the children's figure is the largest worker (and its sandbox) waited for.
    emit({"event": "resources", "judge_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
          "worker_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024})
    emit({"event": "done"})
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # skip interpreter teardown: TensorFlow's can be slow


if __name__ == "__main__":
    main()
