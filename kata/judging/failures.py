"""The one rule for every failure a learner reads: what was called with what, what came back or
what was raised (with the learner's own lines only), and the likely cause — in Spanish or English,
never a traceback of the tests or of a library.

The judge (`kata.judging.plugin`) turns every failing test of a step suite into `message(exception)`.
"""

import re
from pathlib import Path, PurePosixPath

from kata.feedback import Feedback
from kata.i18n import t
from kata.judging import withheld
from kata.judging.limits import LEARNER_TEXT_CHARS
from kata.stubs import is_stub_error

MAX_FRAMES = 3


_USER_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<func>[^\s*]+)[ *]*\n\s*(?P<code>.*)')


def _tf_user_code(text: str) -> str:
    """TensorFlow reports an error inside a tf.function as "in user code:" and the frames as text;
    keep the error itself and where it happened as file:line, without the frames."""
    if "in user code:" not in text:
        return text
    frames = [f"{Path(m['file']).name}:{m['line']}" for m in _USER_FRAME.finditer(text)]
    last = [line.strip() for line in text.strip().splitlines() if line.strip()][-1]
    where = " → ".join(frames[-3:])
    return f"{last} (tf.function: {where})" if where else last


def _learner_text(text: str) -> str:
    """Text that came from the learner's code, bounded and without TensorFlow's op-location noise;
    in a graded submission's feedback, withheld (see `kata.judging.withheld`)."""
    if withheld.active():
        return t("«…» (lo que escribió tu código: léelo con `kata check`)",
                 "«…» (what your code wrote: read it with `kata check`)")
    text = _tf_user_code(re.sub(r"\{\{.*?\}\}\s*", "", str(text)).strip())
    return text if len(text) <= LEARNER_TEXT_CHARS else text[:LEARNER_TEXT_CHARS] + " …"


def _type(err) -> str:
    """The class name of the learner's exception, as a message may show it."""
    if not withheld.active():
        return err.type_name
    from kata.worker.errors import BUILTIN_ERRORS

    known = set(BUILTIN_ERRORS) | {"DataLoadError", "Skipped", "Exit", "Failed", "XFailed"}
    if str(err.description.get("module", "")).startswith("tensorflow"):
        known |= {"InvalidArgumentError", "ResourceExhaustedError", "UnimplementedError", "InternalError",
                  "FailedPreconditionError", "OutOfRangeError", "NotFoundError", "UnknownError", "OpError"}
    return withheld.type_name(err.type_name, known)


def _where(frames, display: str) -> list:
    folder = str(PurePosixPath(display).parent) if display else ""
    lines = []
    unique = [f for i, f in enumerate(frames) if i == 0 or f[:2] != frames[i - 1][:2]]  # a comprehension repeats its line
    for file, line, _, code in unique[-MAX_FRAMES:]:
        if withheld.active():    # only a line of the step's own file, by number
            if file != PurePosixPath(display).name or not isinstance(line, int):
                continue
            code = ""
        path = f"{folder}/{file}" if folder and folder != "." else str(file)
        lines.append(t(f"  en {path}:{line}: {code}", f"  at {path}:{line}: {code}") if code else
                     t(f"  en {path}:{line}", f"  at {path}:{line}"))
    return lines


def missing_file(path, display: str) -> str:
    return t(f"falta {display}: este paso aún no está hecho (crea el fichero, o `kata reset` lo restaura)",
             f"{display} is missing: this step is not done yet (create the file, or `kata reset` restores it)")


def import_failed(err, display: str) -> str:
    """A module that cannot even be imported: a syntax error, or an exception at import time."""
    d = err.description
    if d.get("syntax"):
        line = d.get("line") if type(d.get("line")) is int else "?"
        return t(f"{display}, línea {line}: error de sintaxis ({_learner_text(d.get('message'))}): "
                 f"{_learner_text(d.get('text', ''))}\nCorrígelo y vuelve a probar.",
                 f"{display}, line {line}: syntax error ({_learner_text(d.get('message'))}): "
                 f"{_learner_text(d.get('text', ''))}\nFix it and try again.")
    if d.get("exit_code") is not None:
        code = _exit_code(d)
        head = t(f"{display} llamó a sys.exit({code}) al importarse: un módulo de la kata define "
                 f"funciones, nunca termina el programa",
                 f"{display} called sys.exit({code}) when imported: a kata module defines functions, "
                 f"it never ends the program")
    else:
        head = t(f"{display} falla al importarse: {_type(err)}: {_learner_text(err)}",
                 f"{display} fails on import: {_type(err)}: {_learner_text(err)}")
    lines = [head, *_where(err.frames, display)]
    if err.type_name in ("ModuleNotFoundError", "ImportError"):
        lines.append(t("Causa probable: ese módulo no está instalado en el entorno de la kata; usa solo NumPy, "
                       "TensorFlow, Keras y matplotlib (y los pasos anteriores).",
                       "Likely cause: that module is not installed in the kata's environment; use only NumPy, "
                       "TensorFlow, Keras and matplotlib (and the earlier steps)."))
    return "\n".join(lines)


# (exception type names, pattern in its message, cause in Spanish, cause in English): a cause is
# shown only when the error the learner's code raised matches it — never a guess.
KNOWN_ERRORS = (
    (("ValueError",), r"Single argument to subplot must be a three-digit integer",
     "`location` llegó como tupla (filas, columnas, índice): pásala desplegada, plt.subplot(*location).",
     "`location` came as a tuple (rows, cols, index): unpack it, plt.subplot(*location)."),
    (("TypeError",), r"Invalid shape \(\d+,\) for image data",
     "imshow necesita la imagen en 2-D: np.reshape(data, size) antes de dibujarla.",
     "imshow needs a 2-D image: np.reshape(data, size) before drawing it."),
    (("AttributeError",), r"module 'matplotlib.pyplot' has no attribute 'add_subplot'",
     "aquí `plt` es el módulo pyplot, que no tiene add_subplot: usa plt.subplot(...) (una Figure sí tiene "
     "add_subplot: admite las dos cosas).",
     "here `plt` is the pyplot module, which has no add_subplot: use plt.subplot(...) (a Figure does have "
     "add_subplot: accept both)."),
    (("AttributeError",), r"'Figure' object has no attribute 'subplot'",
     "aquí `plt` es una Figure, que no tiene subplot: usa plt.add_subplot(...) (admite las dos cosas: "
     "getattr(plt, 'add_subplot', None) or plt.subplot).",
     "here `plt` is a Figure, which has no subplot: use plt.add_subplot(...) (accept both: "
     "getattr(plt, 'add_subplot', None) or plt.subplot)."),
    (("AttributeError",), r"'(list|tuple)' object has no attribute '(shape|astype|reshape|ndim|size|ravel)'",
     "llegó una lista de Python, no un array: empieza con np.asarray(...).",
     "a Python list came in, not an array: start with np.asarray(...)."),
    (("TypeError", "IndexError"), r"only integer scalar arrays can be converted to a scalar index",
     "se usó como índice una etiqueta one-hot (10 valores): np.argmax(label) da el número de clase.",
     "a one-hot label (10 values) was used as an index: np.argmax(label) gives the class number."),
    (("TypeError",), r"unhashable type: '(numpy\.ndarray|list)'",
     "se usó como clave de un diccionario una etiqueta one-hot (10 valores): np.argmax(label) da el número de clase.",
     "a one-hot label (10 values) was used as a dict key: np.argmax(label) gives the class number."),
    (("DataLoadError",), r"validation_size",
     "load_data debe pasar su validation_size a input_data.read_data_sets(data_dir, validation_size=validation_size).",
     "load_data must pass its validation_size on: input_data.read_data_sets(data_dir, validation_size=validation_size)."),
    (("InvalidArgumentError",), r"Input to reshape is a tensor with \d+ values, but the requested shape requires a multiple",
     "el tf.reshape pide un tamaño fijo que no es el de esta entrada: aplana a las filas del peso, "
     "tf.reshape(x, [-1, w.shape[0]]), sin escribir el número a mano.",
     "the tf.reshape asks for a fixed size that is not this input's: flatten to the weight's rows, "
     "tf.reshape(x, [-1, w.shape[0]]), without writing the number by hand."),
    (("InvalidArgumentError", "ValueError"), r"Matrix size-incompatible|must be 2-dimensional|Dimensions must be equal",
     "una multiplicación de matrices recibió formas que no encajan: aplana antes con tf.reshape(x, [-1, w.shape[0]]).",
     "a matrix product got shapes that do not fit: flatten first with tf.reshape(x, [-1, w.shape[0]])."),
)


def _exit_code(description) -> str:
    code = str(description.get("exit_code"))
    return code if code.lstrip("-").isdigit() and len(code) < 6 or not withheld.active() else "…"


def _stub_message(err) -> str:
    """The stub's own error, in the kata's words for that step (never the text the worker sent)."""
    from kata import manifest
    from kata.stubs import stub_message

    step_id = err.description.get("stub_step")
    try:
        step = manifest.get(step_id) if isinstance(step_id, str) else None
    except manifest.ManifestError:
        step = None
    if step is None:
        return t("aún sin implementar: completa el fichero de este paso", "not implemented yet: fill in this step's file")
    return stub_message(step.id, step.filename)


def _known_cause(err):
    name, text = err.type_name, str(err)
    for names, pattern, es, en in KNOWN_ERRORS:
        if name in names and re.search(pattern, text):
            return t(es, en)
    return ""


def _signature_cause(err):
    """For a call that does not fit the learner's own signature: the one the stub asks for."""
    text = str(err)
    if err.type_name != "TypeError" or err.frames or not re.search(
            r"unexpected keyword argument|positional argument|got multiple values|required keyword", text):
        return ""
    expected = expected_signature(err.call.module, err.call.function)
    if not expected:
        return ""
    return t(f"la firma no es la que pide el enunciado: def {expected}",
             f"the signature is not the one the stub asks for: def {expected}")


def expected_signature(module: str, function: str) -> str:
    """`print_results(train_values, test_values, *, metric='loss', path=None)`, from the step's stub."""
    import ast

    from kata import manifest
    from kata.stubs import stub_text

    try:
        step = manifest.by_module(module)
        tree = ast.parse(stub_text(step) or "")
    except (manifest.ManifestError, SyntaxError, OSError):
        return ""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            return f"{function}({ast.unparse(node.args)})"
    return ""


def learner_error(err) -> str:
    """An exception raised by the learner's code during a call."""
    call = err.call
    name = _type(err)
    what = _learner_text(err)
    if err.description.get("exit_code") is not None:
        code = _exit_code(err.description)
        head = t(f"{call.signature()} llamó a sys.exit({code}): una función de la kata "
                 f"devuelve su resultado, nunca termina el programa",
                 f"{call.signature()} called sys.exit({code}): a kata function returns its "
                 f"result, it never ends the program")
    elif err.type_name == "MemoryError":
        head = t(f"{call.signature()} se quedó sin memoria (MemoryError)", f"{call.signature()} ran out of memory (MemoryError)")
    elif err.description.get("errno") == 27:   # EFBIG: the output limit
        head = t(f"{call.signature()} escribió demasiado (prints o ficheros) y se detuvo: {what}",
                 f"{call.signature()} wrote too much (printing or files) and was stopped: {what}")
    else:
        head = t(f"{call.signature()} lanzó {name}: {what}", f"{call.signature()} raised {name}: {what}")
    lines = [head, *_where(err.frames, call.display)]
    cause = _signature_cause(err) or _known_cause(err)
    if cause:
        lines.append(t("Causa probable: ", "Likely cause: ") + cause)
    return "\n".join(lines)


def _stderr_reason(stderr: str) -> str:
    """What TensorFlow or Python said before the process died, worded: "; TensorFlow said: …"."""
    for pattern, who_es, who_en in ((r"Check failed: (.*)", "TensorFlow dijo", "TensorFlow said"),
                                    (r"Fatal Python error: (.*)", "Python dijo", "Python said"),
                                    (r"(terminate called .*)", "el proceso dijo", "the process said")):
        found = re.search(pattern, stderr)
        if found:
            reason = _learner_text(found.group(1))[:300]
            return t(f"; {who_es}: {reason}", f"; {who_en}: {reason}")
    return ""


def _stuck_at(stderr: str, display: str) -> str:
    """' (exercises/conv2d.py, line 12)' from a faulthandler dump that shows a learner's file."""
    folder = str(PurePosixPath(display).parent) if display else ""
    for line in reversed(stderr.splitlines()):
        found = re.search(r'File "([^"]+)", line (\d+)', line)
        if found and ("/impl/" in found.group(1) or "/kata-worker/impl/" in found.group(1)
                      or (folder and f"/{folder}/" in found.group(1))):
            name = PurePosixPath(found.group(1)).name
            where = f"{folder}/{name}" if folder and folder != "." else name
            return t(f" (en {where}, línea {found.group(2)})", f" (at {where}, line {found.group(2)})")
    return ""


def fault(err) -> str:
    """A worker that died, ran out of time or broke the protocol during a call."""
    call = err.call
    where = _stuck_at(err.stderr, call.display)
    if err.kind == "timeout":
        limit = f" {getattr(err, 'seconds', None):g} s" if getattr(err, "seconds", None) else ""
        return t(f"{call.signature()} tardó más de{limit or ' lo permitido'} y se detuvo{where}: busca un bucle que no termina",
                 f"{call.signature()} ran longer than{limit or ' allowed'} and was stopped{where}: look for a loop that never ends")
    if err.kind == "memory":
        return t(f"{call.signature()}: el sistema detuvo el proceso, casi seguro por usar demasiada memoria{where}",
                 f"{call.signature()}: the system stopped the process, most likely for using too much memory{where}")
    if err.kind == "protocol":   # the judge's own words (masked in a graded feedback where they quote the worker)
        detail = str(err.detail)[:LEARNER_TEXT_CHARS]
        return t(f"{call.signature()} devolvió algo que los tests no pueden recibir: {detail}",
                 f"{call.signature()} returned something the tests cannot receive: {detail}")
    said = _stderr_reason(err.stderr)
    return t(f"{call.signature()} hizo caer el proceso de Python ({err.detail}){where}{said}",
             f"{call.signature()} crashed the Python process ({err.detail}){where}{said}")


def not_run(test_name: str, err) -> str:
    """Why the later tests of a step that faulted are not run."""
    kind = {"timeout": t("se quedó sin tiempo", "ran out of time"), "memory": t("se quedó sin memoria", "ran out of memory")
            }.get(err.kind, t("hizo caer el proceso", "crashed the process"))
    return t(f"no se ejecutó: {test_name}, de este mismo paso, {kind} ({fault(err)})",
             f"not run: {test_name}, of this same step, {kind} ({fault(err)})")


def unexpected(exc) -> str:
    """A failure that is neither a worded check nor the learner's exception: the test met a value
    it could not check. Say what came back, never the test's traceback."""
    from kata.worker.remote import CALLS
    from kata.worker.describe import describe_value

    call = CALLS[-1] if CALLS else None
    if isinstance(exc, AssertionError):   # a plain `assert` of the test: its first line says what differs
        detail = _judge_text(str(exc).strip().splitlines()[0] if str(exc).strip() else "assert")
        if call is not None:
            return t(f"{call.signature()} devolvió {describe_value(call.value)}, y no es lo esperado ({detail})",
                     f"{call.signature()} returned {describe_value(call.value)}, which is not what was expected ({detail})")
    detail = _judge_text(f"{type(exc).__name__}: {exc}")
    if call is None:
        return t(f"el test no pudo comprobar el resultado ({detail})", f"the test could not check the result ({detail})")
    return t(f"{call.signature()} devolvió {describe_value(call.value)}, y el test no pudo comprobarlo ({detail})",
             f"{call.signature()} returned {describe_value(call.value)}, which the test could not check ({detail})")


def _judge_text(text: str) -> str:
    """Text the judge itself raised (a test's assert, a library's error on a value): bounded; in a
    graded feedback, what in it quotes the worker is masked (`kata.judging.withheld`)."""
    text = str(text).strip()
    return text if len(text) <= LEARNER_TEXT_CHARS else text[:LEARNER_TEXT_CHARS] + " …"


def message(exc) -> str:
    """The learner-facing text of any exception that failed a test of a step suite."""
    from kata.worker.errors import LearnerError, WorkerFault, WorkerStartFailed

    if isinstance(exc, LearnerError) and exc.description.get("stub"):
        return _stub_message(exc)
    if isinstance(exc, Feedback) or is_stub_error(exc):
        return str(exc)
    if isinstance(exc, WorkerStartFailed):
        return t(f"no se pudo comprobar: el proceso que ejecuta tu código no arrancó ({exc.detail}). "
                 f"No es un fallo de tu código; avisa a tu profesor.",
                 f"could not check: the process that runs your code did not start ({exc.detail}). "
                 f"This is not your code's fault; tell your instructor.")
    if isinstance(exc, LearnerError):
        return learner_error(exc)
    if isinstance(exc, WorkerFault):
        return fault(exc)
    return unexpected(exc)
