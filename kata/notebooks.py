"""Student notebooks generated from the manifest (filled in by the workbench work)."""


def notebook_files(root):
    """{relative path: notebook JSON text}; none yet."""
    return {}
