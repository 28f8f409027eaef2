"""nbgrader source notebooks generated from the solutions and the manifest."""


def notebook_files(root):
    """{relative path: notebook JSON text}; none yet."""
    return {}
