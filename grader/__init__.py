"""Instructor side of the kata: the batch grader and the nbgrader source notebooks."""
