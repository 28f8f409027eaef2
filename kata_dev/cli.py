"""`kata dev …`: the instructor's and maintainer's commands, registered into `kata` through the
entry-point group `cnn_kata.commands` (see pyproject.toml) wherever this package is installed."""

import importlib

COMMAND_MODULES = (
    "kata_dev.commands.build",      # build
    "kata_dev.commands.release",    # release
    "kata_dev.commands.grade",      # grade
    "kata_dev.commands.publish",    # publish (feedback into the class server's workspaces)
    "kata_dev.commands.check",      # check (the kata proves itself)
    "kata_dev.commands.messages",   # messages (every mutant's first message, for review)
    "kata_dev.commands.bench",      # bench
)


def register(sub) -> None:
    dev = sub.add_parser("dev", help="instructor and maintainer commands: build, release, grade, publish, check, messages, bench",
                         description="Commands for instructors and maintainers of the kata (not in a student release).")
    commands = dev.add_subparsers(dest="dev_command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands)
