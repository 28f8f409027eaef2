"""Placeholder: filled in by its own piece of work."""


def register(sub):
    pass
