"""The instructor's and maintainer's side of cnn-kata: `kata dev …`.

Generating the stubs and notebooks from `solutions/`, the student release, the batch grader,
the proofs that every step suite rejects common mistakes and accepts other correct answers, and
the speed benchmark. It imports the learner's package (`kata`), never the other way round, and it
never ships in a student release.
"""
