"""The instructor's hidden tests, one file per step (test_<step>.py), never in a release.

A package, so that pytest imports them as hidden.test_<step> and not under the same name as
the public tests/steps/test_<step>.py that runs in the same session."""
