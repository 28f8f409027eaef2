"""The `kata` command. Each sub-command lives in its own module under `kata/commands/`,
which exposes `register(subparsers)`; this file only assembles them."""

import argparse
import importlib
import sys

from kata import __version__

COMMAND_MODULES = (
    "kata.commands.progress",   # status, check, hint, watch, reset
    "kata.commands.build",      # build
    "kata.commands.release",    # release
    "kata.commands.train",      # train, compare, bench
    "kata.commands.grade",      # grade
    "kata.commands.lab",        # lab
)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="kata",
        description="cnn-kata: build a CNN for Fashion-MNIST step by step · construye una CNN paso a paso",
    )
    top.add_argument("--version", action="version", version=f"cnn-kata {__version__}")
    sub = top.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return top


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    top = parser()
    args = top.parse_args(argv)
    if args.command is None:  # a bare `kata` shows the progress
        args = top.parse_args(["status", *argv])
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("\ninterrumpido · interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
