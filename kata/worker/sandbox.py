"""How a worker process is started: plainly (the learner's own checks), or inside bubblewrap (grading).

In the sandbox the worker sees only what it needs, read-only: the interpreter and its packages,
the learner's modules, the reference modules of the earlier steps the graded step uses, the
worker's own code (the `kata` package and `input_data.py`) and the dataset. It gets a private
/tmp (also its HOME), no network, its own PID namespace (nothing it starts outlives it), a new
session, an unprivileged uid, no capabilities, and it dies with its parent. Everything else — the
submissions, the outputs, the grader, the solutions of other steps, other students' work — does
not exist for it.
"""

import os
import shutil
import site
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kata.i18n import t

INSIDE = Path("/opt/kata-worker")
SANDBOX_UID = 65534
TMP_BYTES = 2 * 1024 * 1024 * 1024
# -I ignores PYTHONDONTWRITEBYTECODE: say it here, so no .pyc is ever written (or attempted) next to packages.
BOOTSTRAP = ("import os, sys; sys.dont_write_bytecode = True; "
             "sys.path[:0] = os.environ.pop('KATA_WORKER_PATH').split(os.pathsep); "
             "from kata.worker.server import main; main(sys.argv[1:])")


class SandboxUnavailable(RuntimeError):
    """bubblewrap cannot run here; the message says why and what to do."""


@dataclass(frozen=True)
class Isolation:
    """How workers run: `sandbox` "bwrap" or "none", with their hard limits."""

    sandbox: str = "none"
    memory_mb: int = 0
    output_mb: int = 64
    read_only: tuple = field(default_factory=tuple)   # extra folders to show (read-only), e.g. a dataset
    preload: tuple = field(default_factory=tuple)     # libraries the worker imports before the first request


def _python_paths() -> list:
    """The stdlib and package folders the interpreter needs (no .pth processing: `python -S`)."""
    paths = {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib")} | set(_site_packages())
    return sorted(p for p in paths if p and Path(p).is_dir())


def _site_packages() -> list:
    """The package folders of this interpreter, also those a `.pth` file added (a venv that borrows
    its packages); never the project's own folders, which `sys.path` may also hold."""
    paths = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
    paths.update(site.getsitepackages())
    paths.update(p for p in sys.path if Path(p).name in ("site-packages", "dist-packages"))
    return sorted(p for p in paths if p and Path(p).is_dir())


def environment(home: Path, extra=None) -> dict:
    """A small, predictable environment: CPU only, quiet TensorFlow, HOME and TMPDIR private."""
    keep = ("LANG", "LC_ALL", "LC_MESSAGES", "KATA_LANG", "FASHION_MNIST_DIR", "SYSTEMROOT")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(PATH="/usr/local/bin:/usr/bin:/bin", HOME=str(home), TMPDIR=str(home), MPLBACKEND="Agg",
               MPLCONFIGDIR=str(home / ".mpl"), KERAS_HOME=str(home / ".keras"), TF_CPP_MIN_LOG_LEVEL="2",
               CUDA_VISIBLE_DEVICES="", PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1")
    env.update(extra or {})
    return env


def plain_command(runtime: Path, home: Path, reads, isolation: Isolation, fds) -> tuple:
    """(argv, env) of a worker without a sandbox: the learner's own code on the learner's machine.
    `reads`: the folders it is expected to read (anything else it opens is noted as an attempt)."""
    env = environment(home, {"KATA_WORKER_PATH": os.pathsep.join([str(runtime), *_site_packages()])})
    argv = [sys.executable, "-I", "-S", "-c", BOOTSTRAP, *_worker_args(fds, isolation, [
        str(runtime), *map(str, reads), *isolation.read_only, *_python_paths()], [str(home)])]
    return argv, env


def _worker_args(fds, isolation, reads, writes) -> list:
    args = ["--read-fd", str(fds[0]), "--write-fd", str(fds[1]), "--memory-mb", str(isolation.memory_mb),
            "--output-mb", str(isolation.output_mb)]
    for path in reads:
        args += ["--read-root", str(path)]
    for path in writes:
        args += ["--write-root", str(path)]
    for name in isolation.preload:
        args += ["--preload", name]
    return args


def sandbox_command(kata_package: Path, input_data: Path, impl: Path, refs: Path, isolation: Isolation,
                    fds) -> tuple:
    """(argv, env) of a worker inside bubblewrap; see the module's docstring for what it sees."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailable(_no_bwrap("bwrap is not installed"))
    runtime = INSIDE / "runtime"
    home = Path("/tmp/home")
    inside_impl, inside_refs = INSIDE / "impl", INSIDE / "refs"
    options = ["--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
               "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--clearenv",
               "--proc", "/proc", "--dev", "/dev", "--size", str(TMP_BYTES), "--tmpfs", "/tmp",
               "--dir", str(home), "--chdir", str(home)]
    for name in ("usr", "bin", "sbin", "lib", "lib64", "lib32"):
        host = Path("/") / name
        if host.is_symlink():
            options += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            options += ["--ro-bind", str(host), str(host)]
    for path in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/fonts", "/etc/localtime"):
        options += ["--ro-bind-try", path, path]
    shown = {str(Path(p).resolve()) for p in [sys.prefix, sys.base_prefix, Path(sys.executable).resolve().parent.parent,
                                             *_python_paths(), *isolation.read_only]}
    for path in sorted(shown):
        options += ["--ro-bind-try", path, path]
    options += ["--ro-bind", str(kata_package), str(runtime / "kata"),
                "--ro-bind", str(input_data), str(runtime / "input_data.py"),
                "--ro-bind", str(impl), str(inside_impl), "--ro-bind", str(refs), str(inside_refs)]
    env = environment(home, {"KATA_WORKER_PATH": os.pathsep.join([str(runtime), *_site_packages()])})
    for name, value in env.items():
        options += ["--setenv", name, value]
    argv = [bwrap, *options, sys.executable, "-I", "-S", "-c", BOOTSTRAP,
            *_worker_args(fds, isolation, [str(INSIDE), *sorted(shown), str(home)], [str(home)])]
    return argv, {}


def _no_bwrap(why: str) -> str:
    return t(f"no se puede aislar el código de las entregas: {why}. En Debian/Ubuntu: apt-get install bubblewrap "
             f"(y que el sistema permita espacios de nombres de usuario). Para corregir sin aislamiento, bajo tu "
             f"responsabilidad, añade --no-sandbox.",
             f"cannot isolate the submissions' code: {why}. On Debian/Ubuntu: apt-get install bubblewrap (and the "
             f"system must allow user namespaces). To grade without isolation, at your own risk, pass --no-sandbox.")


@lru_cache(maxsize=None)
def check_bwrap() -> None:
    """Raise SandboxUnavailable unless bubblewrap can start a process in new namespaces here."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailable(_no_bwrap("bwrap is not installed"))
    if sys.platform != "linux":
        raise SandboxUnavailable(_no_bwrap(f"bubblewrap needs Linux, and this is {sys.platform}"))
    try:
        done = subprocess.run([bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "true"],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise SandboxUnavailable(_no_bwrap(f"bwrap could not start ({err})")) from None
    if done.returncode != 0:
        raise SandboxUnavailable(_no_bwrap(f"bwrap refused to start ({done.stderr.strip()[:200]})"))
