"""How a step's module is executed: under a private name, with the earlier steps it uses visible
as plain imports (`from conv2d import conv2d`) only while it runs.

The one way both places that run a learner's module do it: the worker (`kata.worker.server`) and
`kata train` in the learner's own process (`kata.impl`).
"""

import importlib.util
import sys
import types


def execute(name: str, *, path=None, source=None, deps=None, private_name=None, run=None) -> types.ModuleType:
    """The module `name`, executed from the file `path` or from `source` (text that exists only in
    memory, never as a file the learner's code could open), with `deps` {name: module} importable.

    `run(callable)`, when given, wraps the execution (the worker records attempts around it).
    Raises what the module raises (a SyntaxError, an import-time exception).
    """
    deps = dict(deps or {})
    if source is None:
        spec = importlib.util.spec_from_file_location(private_name or name, path)
        module = importlib.util.module_from_spec(spec)

        def body():
            spec.loader.exec_module(module)
    else:
        module = types.ModuleType(name)
        code = compile(source, f"<reference {name}>", "exec")

        def body():
            exec(code, module.__dict__)

    saved = {n: sys.modules.get(n) for n in deps}
    sys.modules.update(deps)
    try:
        (run or (lambda f: f()))(body)
    finally:
        for n, old in saved.items():
            if old is None:
                sys.modules.pop(n, None)
            else:
                sys.modules[n] = old
    return module
