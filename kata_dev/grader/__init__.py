"""The batch grader (`kata dev grade`): see docs/grading.md."""
