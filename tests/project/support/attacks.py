"""Submissions written as a determined student would, reading the kata's code: the hostile class the
grader's tests grade once (`tests/project/conftest.py`), and the attacks on the real kata.

Every attack on the tiny kata sits in beta, so the honest grade of every attacker is 4 of 6 (alpha
1, gamma 3). Their paths are the real ones of the run (the strongest attacker knows them).
"""

import base64
import io
import json
import lzma
import os
import site
import tarfile
import textwrap
import zipfile
import zlib
from pathlib import Path

from kata.paths import PACKAGE_ROOT

from support import tiny_kata as tiny
from support.trees import MARK, nest

beta = tiny.beta


def payload(source: str) -> str:
    """What a leaking attacker sends: the reference, compressed and in base64."""
    return base64.b64encode(zlib.compress(source.encode())).decode()


# At import, find the reference sources the judge sent to load this module (in the load request,
# up the worker's own call stack), encoded as `payload` does.
FIND_REFERENCE = """\
    import base64, zlib

    def _reference():
        frame = sys._getframe()
        while frame is not None:
            request = frame.f_locals.get("request")
            if isinstance(request, dict):
                for dep in request.get("deps", []):
                    if len(dep) > 2 and isinstance(dep[2], str):
                        return dep[2]
            frame = frame.f_back
        return "nothing found"

    SECRET = base64.b64encode(zlib.compress(_reference().encode())).decode()
"""

LEAKS = {
    # The encoded reference, through every text a submission decides.
    "leak_message": "raise ValueError(SECRET)",
    "leak_class": "raise type(SECRET[:80], (ValueError,), {})('x')",
    "leak_print": "print(SECRET)\nreturn -1",
    "leak_return": "return SECRET",
    "leak_dict": "return {SECRET[i:i + 40]: i for i in range(0, len(SECRET), 40)}",
    "leak_frames": ("import linecache\nlinecache.cache[__file__] = (1, None, [SECRET + '\\n'] * 60, __file__)\n"
                    "raise ValueError('see the line')"),
    "leak_exit": "sys.exit(SECRET)",
    "leak_abort": "os.write(2, ('Check failed: ' + SECRET + '\\n').encode())\nos.abort()",
    "leak_stub": "raise NotImplementedError(\"not implemented yet: fill in exercises/beta.py (step 'beta') \" + SECRET)",
}


def tiny_attacks(subs: Path, out: Path, root: Path) -> dict:
    """{student: beta.py source}: one attack each."""
    victim = subs / "victim" / "beta.py"
    packages = Path(site.getsitepackages()[0])
    attacks = {
        # Borrowing the answer: any other copy of triple() anywhere it can read.
        "borrower": beta(f"""\
            import glob
            places = [glob.glob(f'{{top}}/**/*.py', recursive=True) for top in ('/opt', '/tmp', '/work', '/home')]
            for path in sum(places, []) + [{str(root / 'solutions' / 'beta.py')!r}]:
                try:
                    text = open(path).read()
                except OSError:
                    continue
                if 'def triple' in text and 'glob' not in text:
                    scope = {{}}
                    exec(text.replace('from alpha import double', 'double = lambda v: 2 * v'), scope)
                    return scope['triple'](x) - double(x) - x
            return -1000"""),
        # Bending the judge: replace what tests compare with, inside its own process.
        "bender": beta("return 0", """\
            import builtins, numpy
            numpy.allclose = lambda *a, **k: True
            builtins.isinstance = lambda *a: True
            class Always(int):
                def __eq__(self, other):
                    return True
                __hash__ = int.__hash__
            import alpha
            triple_result = Always(0)"""),
        "equals_everything": beta("""\
            class Always:
                def __eq__(self, other):
                    return True
            return Always()""").replace("    return double(x) + x\n", ""),
        # Laundering skips: a skip raised from code compiled under another file's name, the stub's error.
        "launderer": beta("""\
            import _pytest.outcomes
            exec(compile('raise Skipped("fine")', '/work/main/conftest.py', 'exec'),
                 {'Skipped': _pytest.outcomes.Skipped})"""),
        "stub_mimic": beta("""\
            raise NotImplementedError("not implemented yet: fill in exercises/beta.py (step 'beta') · x")"""),
        # Forging the stream: well-formed frames and garbage on every descriptor it has.
        "forger": beta("""\
            import json, struct
            header = json.dumps({'kind': 'result', 'value': 3 * x}).encode()
            frame = struct.pack('>II', len(header), 0) + header
            for fd in range(3, 64):
                try:
                    os.write(fd, b'garbage' * 10 + frame)
                except OSError:
                    pass
            return 0"""),
        # Reaching past the worker: a double fork that outlives grading and writes afterwards.
        "escaper": beta(f"""\
            later = ("import time; time.sleep(3)\\n"
                     "for path in ({str(out / 'grades.csv')!r}, {str(victim)!r}, '/tmp/escaped-{MARK}'):\\n"
                     "    try:\\n        open(path, 'w').write('owned')\\n    except OSError:\\n        pass\\n")
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    os.execv(sys.executable, [sys.executable, '-c', later, {MARK!r}])
                os._exit(0)
            return 0"""),
        # Reaching past: another student's folder, installed packages, the grader's own bytecode.
        "vandal": beta(f"""\
            for path, text in (({str(victim)!r}, 'def triple(x):\\n    return 0\\n'),
                               ({str(packages / ('zz-' + MARK + '.pth'))!r}, 'import os'),
                               ({str(PACKAGE_ROOT / 'kata_dev' / 'grader' / '__pycache__' / 'batch.cpython-311.pyc')!r}, 'x'),
                               ({str(out / 'results' / 'victim.json')!r}, '{{}}')):
                try:
                    with open(path, 'w') as handle:
                        handle.write(text)
                except OSError:
                    pass
            return 0"""),
        # Flooding the judge: a reply of 320 MB, and a figure of 100 Axes to redraw (8,000 cost 228 s).
        "flooder": beta("return b'x' * (320 * 2**20)"),
        "axes_flood": beta("""\
            import matplotlib
            matplotlib.use('Agg')
            import matplotlib.pyplot as plt
            figure = plt.figure()
            for i in range(100):
                figure.add_subplot(10, 10, i + 1)
            return 0"""),
        # Filling the sandbox: /dev/shm, memory in three children at once, processes, user namespaces.
        "shm_hog": beta("""\
            written = 0
            try:
                with open('/dev/shm/hog', 'wb') as handle:
                    for _ in range(200):
                        handle.write(b'x' * 2**20)
                        written += 1
            except OSError:
                pass
            raise ValueError(f'/dev/shm took {written} MB')"""),
        "memory_gang": beta("""\
            import select, signal as sig
            ready_r, ready_w = os.pipe()
            children = []
            for _ in range(3):
                pid = os.fork()
                if pid == 0:
                    block = bytearray(700 * 2**20)
                    for i in range(0, len(block), 4096):
                        block[i] = 1
                    os.write(ready_w, b'1')
                    sig.pause()
                    os._exit(0)
                children.append(pid)
            got = 0
            while got < 3 and select.select([ready_r], [], [], 5)[0]:
                got += len(os.read(ready_r, 3))
            for pid in children:
                try:
                    os.kill(pid, sig.SIGKILL)
                except OSError:
                    pass
            codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
            raise ValueError(f'children ready {got}, ended {codes}')"""),
        "fork_bomb": beta("""\
            import signal as sig
            started = []
            for _ in range(400):
                try:
                    pid = os.fork()
                except OSError:
                    break
                if pid == 0:
                    sig.pause()
                    os._exit(0)
                started.append(pid)
            for pid in started:
                os.kill(pid, sig.SIGKILL)
                os.waitpid(pid, 0)
            raise ValueError(f'started {len(started)} processes')"""),
        "userns": beta("""\
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            result = libc.unshare(0x10000000)
            raise ValueError(f'unshare(CLONE_NEWUSER) returned {result}, errno {ctypes.get_errno()}')"""),
    }
    for student, body in LEAKS.items():
        attacks[student] = beta(body, FIND_REFERENCE)
    return attacks


def split_steps(subs: Path) -> None:
    """One step's import bends another's verdict: alpha leaves `TRIPLE` in builtins, which a wrong
    beta relies on (when both shared a worker, beta passed)."""
    alpha = "import builtins\nbuiltins.TRIPLE = lambda x: 3 * x\n\n\n" + tiny.SOLUTIONS["alpha.py"]
    tiny.add_student(subs, "split_steps", alpha=alpha, beta="def triple(x):\n    return TRIPLE(x)\n")


def choking_discovery(subs: Path) -> Path:
    """Entries that stopped or slowed discovery: a FIFO named beta.py, a folder 1,200 deep, a .venv
    of 12,000 files, and every kind of broken archive. Returns the deep folder (to remove after)."""
    choker = tiny.add_student(subs, "choker", beta=None)
    os.mkfifo(choker / "beta.py")
    deep = tiny.add_student(subs, "deep")
    nest(deep, 1200)
    venv = subs / "with_venv"
    for i in range(12_000):
        (venv / ".venv" / "lib" / f"pkg{i // 1000}").mkdir(parents=True, exist_ok=True)
        (venv / ".venv" / "lib" / f"pkg{i // 1000}" / f"m{i}.py").write_text("")
    (venv / "exercises").mkdir()
    for name, text in tiny.SOLUTIONS.items():
        (venv / "exercises" / name).write_text(text)
    broken_archives(subs)
    return deep


def _tar_bytes(members: dict, mode="w") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


BROKEN = ("truncated", "locked", "null_cell", "corrupt_zip", "corrupt_xz")


def broken_archives(subs: Path) -> None:
    """A truncated .tar.gz, a password-protected zip, a notebook cell whose source holds null, a
    corrupt zip, a corrupt xz; and a .tar of 2,000 one-line modules beside the three real ones."""
    whole = _tar_bytes({f"exercises/{name}": text * 40 for name, text in tiny.SOLUTIONS.items()}, "w:gz")
    (subs / "truncated.tar.gz").write_bytes(whole[:len(whole) // 3])
    with zipfile.ZipFile(subs / "locked.zip", "w") as archive:
        for name, text in tiny.SOLUTIONS.items():
            archive.writestr(f"exercises/{name}", text)
    data = bytearray((subs / "locked.zip").read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):    # the "encrypted" flag bit
        start = 0
        while (start := data.find(signature, start)) >= 0:
            data[start + offset] |= 1
            start += 4
    (subs / "locked.zip").write_bytes(bytes(data))
    (subs / "null_cell").mkdir()
    (subs / "null_cell" / "kata.ipynb").write_text(json.dumps({"cells": [
        {"cell_type": "code", "source": ["%%kata_module alpha\n", None]}, {"cell_type": "code", "source": None}]}))
    with zipfile.ZipFile(subs / "corrupt_zip.zip", "w") as archive:
        for name, text in tiny.SOLUTIONS.items():
            archive.writestr(f"exercises/{name}", text)
    whole_zip = (subs / "corrupt_zip.zip").read_bytes()
    (subs / "corrupt_zip.zip").write_bytes(whole_zip[:-30])         # the end of its directory is gone
    (subs / "corrupt_xz.tar").write_bytes(lzma.compress(_tar_bytes(tiny.SOLUTIONS))[:60])
    many = {f"scratch/m{i}.py": f"x = {i}\n" for i in range(2000)}
    many.update({f"exercises/{name}": text for name, text in tiny.SOLUTIONS.items()})
    (subs / "many_files.tar").write_bytes(_tar_bytes(many))


# --------------------------------------------------------------------------- the real kata


def real_attacks(subs: Path, marker: Path) -> dict:
    """{student: {filename: source}} against the real kata, where a step's worker holds the
    references of the steps it uses."""
    saved = subs / "compile_attacker" / "saved"
    return {
        # conv2d: bend NumPy's comparison in its own process, and return zeros.
        "real_bender": {"conv2d.py": textwrap.dedent("""\
            import numpy as np
            import tensorflow as tf
            np.allclose = lambda *a, **k: True
            np.testing.assert_allclose = lambda *a, **k: None


            def conv2d(x, W, b, strides=1):
                return tf.zeros_like(tf.nn.conv2d(x, W, strides=[1, strides, strides, 1], padding="SAME"))
            """)},
        # generate_network: look for every reference it could borrow (in memory, on disk).
        "real_borrower": {"generate_network.py": textwrap.dedent("""\
            import gc
            import inspect
            import os
            import types

            import conv2d as reference

            STEPS = {"conv2d", "maxpool2d", "fully_connected", "generate_network", "train"}


            def source():
                try:
                    return inspect.getsource(reference)
                except Exception as err:
                    return type(err).__name__


            def module_names():
                for found in gc.get_objects():
                    if isinstance(found, types.ModuleType):
                        try:
                            yield found.__name__
                        except Exception:
                            continue


            def init_parameters(n_output=10, seed=None):
                present = sorted(set(module_names()) & STEPS)
                files = sorted(os.listdir("/opt/kata-worker"))
                raise ValueError(f"present: {present} files: {files} source: {source()}")


            def generate_network(x, weights, biases, layers, drop_out=False, dropout=None):
                raise ValueError(source())
            """)},
        # generate_network: the references it holds, from its own call stack, encoded.
        "real_leaker": {"generate_network.py": "import sys\n" + textwrap.dedent(FIND_REFERENCE) + textwrap.dedent("""\


            def init_parameters(n_output=10, seed=None):
                raise ValueError(SECRET)


            def generate_network(x, weights, biases, layers, drop_out=False, dropout=None):
                raise ValueError(SECRET)
            """)},
        # data's import changes TensorFlow for a wrong maxpool2d (an average, not a maximum).
        "real_split_steps": {
            "data.py": "import tensorflow as tf\ntf.nn.avg_pool2d = tf.nn.max_pool2d\n",
            "maxpool2d.py": textwrap.dedent("""\
                import tensorflow as tf


                def maxpool2d(x, k=2):
                    return tf.nn.avg_pool2d(x, ksize=k, strides=k, padding="SAME")
                """)},
        # keras_train: compile settings whose loss is a Keras class that loads a SavedModel of the hand-in.
        "compile_attacker": {"keras_train.py": textwrap.dedent(f"""\
            import json

            import keras
            from kata.worker import keras_plain

            TRAP = json.dumps({{
                "loss": {{"$partial": {{"module": "keras.layers", "class_name": "TFSMLayer", "registered_name": None,
                                      "config": {{"filepath": {str(saved)!r}, "call_endpoint": "serve"}}}},
                          "args": [], "kwargs": {{}}}},
                "optimizer": {{"name": "adam"}}, "metrics": [{{"name": "accuracy"}}]}})


            def compile_model(model, learning_rate=0.001):
                model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
                keras_plain.compile_settings = lambda model: TRAP
                return model


            def train_model(model, data, epochs=10, batch_size=128, *, callbacks=None, verbose=0):
                return model.fit(data[0], data[1], epochs=epochs, batch_size=batch_size, verbose=verbose)
            """)},
        # keras_model: a model whose config holds a TFSMLayer.
        "model_attacker": {"keras_cnn.py": textwrap.dedent(f"""\
            import json

            import keras


            def build_model(n_output=10, dropout=None):
                model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(n_output)])
                config = json.loads(model.to_json())
                config["config"]["layers"].append({{"module": "keras.layers", "class_name": "TFSMLayer",
                    "registered_name": None, "config": {{"filepath": {str(saved)!r}, "call_endpoint": "serve"}}}})
                model.to_json = lambda **kwargs: json.dumps(config)
                return model
            """)},
    }


def saved_model_trap(folder: Path, marker: Path) -> None:
    """A SavedModel whose `serve` endpoint writes `marker` when called: what the compile attack
    points the judge at."""
    import tensorflow as tf

    class Trap(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, None], tf.float32)])
        def serve(self, x):
            tf.io.write_file(str(marker), "owned")
            return x

    trap = Trap()
    tf.saved_model.save(trap, str(folder), signatures={"serve": trap.serve})
