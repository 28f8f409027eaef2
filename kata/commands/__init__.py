"""The learner's commands: each module exposes `register(subparsers)` (see kata/cli.py)."""
