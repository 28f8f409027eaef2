"""The commands under `kata dev`: each module exposes `register(subparsers)`."""
