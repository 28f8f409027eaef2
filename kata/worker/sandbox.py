"""How the processes that judge and run submitted code are started: plainly (a learner's own
checks) or inside bubblewrap (grading). The one place that builds their command lines and their
environment.

In the sandbox a process sees only what it needs, read-only: the interpreter and its packages,
the kata's code, the folders it was given (a submission's modules, the grading tests) and the
dataset. It gets a private /tmp (also its HOME) and /dev/shm, both size-capped; no network; its
own PID namespace (nothing it starts outlives it) and session; no capabilities; no further user
namespaces (`--disable-userns`); and it dies with its parent. It runs as an unprivileged uid:
the grader's own where the grader is a user, and `nobody` where the grader is root — then a first
bubblewrap, as root, lays out the folders (root may read what `nobody` may not), `setpriv` drops
every privilege, and the sandbox is made by `nobody` (see `_as_nobody`). Memory and process count
of the whole sandbox are bounded by `kata.worker.cgroups` where available.
"""

import os
import shutil
import site
import subprocess
import sys
import sysconfig
from functools import lru_cache
from pathlib import Path

from kata.i18n import t
from kata.judging.limits import SANDBOX_SHM_MB, SANDBOX_TMP_MB, Limits

INSIDE = Path("/opt/kata-worker")
RUNTIME = INSIDE / "runtime"        # the kata package and input_data.py, inside
IMPL = INSIDE / "impl"              # the submission's step modules, inside
NOBODY = 65534
HOME = Path("/tmp/home")
SYSTEM = ("usr", "bin", "sbin", "lib", "lib64", "lib32")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/fonts", "/etc/localtime")
# -I ignores PYTHONDONTWRITEBYTECODE: say it here, so no .pyc is ever written (or attempted) next to packages.
BOOTSTRAP = ("import os, sys; sys.dont_write_bytecode = True; "
             "sys.path[:0] = os.environ.pop('KATA_WORKER_PATH').split(os.pathsep); "
             "from kata.worker.server import main; main(sys.argv[1:])")


class SandboxUnavailable(RuntimeError):
    """bubblewrap cannot run here; the message says why and what to do."""


# --------------------------------------------------------------------------- the interpreter


def python_paths() -> list:
    """The stdlib and package folders the interpreter needs (no .pth processing: `python -S`)."""
    paths = {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib")} | set(site_packages())
    return sorted(p for p in paths if p and Path(p).is_dir())


def site_packages() -> list:
    """The package folders of this interpreter, also those a `.pth` file added (a venv that borrows
    its packages); never the project's own folders, which `sys.path` may also hold."""
    paths = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
    paths.update(site.getsitepackages())
    paths.update(p for p in sys.path if Path(p).name in ("site-packages", "dist-packages"))
    return sorted(p for p in paths if p and Path(p).is_dir())


def interpreter_folders() -> list:
    """Every folder the interpreter lives in (its prefixes and package folders), resolved."""
    return sorted({str(Path(p).resolve()) for p in [sys.prefix, sys.base_prefix,
                                                    Path(sys.executable).resolve().parent.parent, *python_paths()]})


def environment(home: Path, extra=None) -> dict:
    """A small, predictable environment: CPU only, quiet TensorFlow, HOME and TMPDIR private."""
    keep = ("LANG", "LC_ALL", "LC_MESSAGES", "KATA_LANG", "FASHION_MNIST_DIR", "SYSTEMROOT")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(PATH="/usr/local/bin:/usr/bin:/bin", HOME=str(home), TMPDIR=str(home), MPLBACKEND="Agg",
               MPLCONFIGDIR=str(home / ".mpl"), KERAS_HOME=str(home / ".keras"), TF_CPP_MIN_LOG_LEVEL="2",
               CUDA_VISIBLE_DEVICES="", PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1")
    env.update(extra or {})
    return env


def worker_arguments(limits: Limits, preload=(), reads=(), writes=(), *, channel_fd=None, control_fd=None) -> list:
    """The worker's (or zygote's) own command-line options."""
    args = ["--zygote", "--control-fd", str(control_fd)] if control_fd is not None else ["--channel-fd", str(channel_fd)]
    args += ["--memory-mb", str(limits.memory_mb), "--output-mb", str(limits.output_mb)]
    for path in reads:
        args += ["--read-root", str(path)]
    for path in writes:
        args += ["--write-root", str(path)]
    for name in preload:
        args += ["--preload", name]
    return args


# --------------------------------------------------------------------------- without a sandbox


def plain_command(runtime: Path, reads, limits: Limits, preload=(), *, zygote=True):
    """`command(fd, home)` → (argv, env) of a worker (or, with `zygote`, a zygote) on the learner's
    own machine. `reads`: the folders it is expected to read (anything else it opens is noted)."""
    def command(fd, home):
        env = environment(home, {"KATA_WORKER_PATH": os.pathsep.join([str(runtime), *site_packages()])})
        fds = {"control_fd": fd} if zygote else {"channel_fd": fd}
        argv = [sys.executable, "-I", "-S", "-c", BOOTSTRAP, *worker_arguments(
            limits, preload, [str(runtime), *map(str, reads), *python_paths()], [str(home)], **fds)]
        return argv, env
    return command


# --------------------------------------------------------------------------- inside bubblewrap


def sandboxed_zygote(kata_package: Path, input_data: Path, impl: Path, limits: Limits, preload=(), read_only=()):
    """`command(control_fd, home)` → (argv, env) of a zygote inside bubblewrap that sees, read-only,
    the interpreter, the kata's code, the submission's modules (`impl`) and `read_only` folders."""
    binds = [(str(kata_package), str(RUNTIME / "kata")), (str(input_data), str(RUNTIME / "input_data.py")),
             (str(impl), str(IMPL)), *[(str(Path(p).resolve()), str(Path(p).resolve())) for p in read_only]]

    def command(control_fd, home):
        shown = interpreter_folders() + [str(Path(p).resolve()) for p in read_only]
        env = environment(HOME, {"KATA_WORKER_PATH": os.pathsep.join([str(RUNTIME), *site_packages()])})
        inner = [sys.executable, "-I", "-S", "-c", BOOTSTRAP, *worker_arguments(
            limits, preload, [str(INSIDE), *shown, str(HOME)], [str(HOME)], control_fd=control_fd)]
        return bwrap(binds, inner, env), {}
    return command


def bwrap(binds, command: list, env: dict, *, tmp_mb=SANDBOX_TMP_MB, shm_mb=SANDBOX_SHM_MB) -> list:
    """The argv that runs `command` in a sandbox showing `binds` [(host, inside)] read-only besides
    the interpreter and the system's libraries, with `env` as its whole environment."""
    path = _bwrap_path()
    binds = [*[(p, p) for p in interpreter_folders()], *binds]
    inner = [path, "--unshare-all", "--unshare-user", *(["--disable-userns"] if _supports("--disable-userns") else []),
             "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--uid", str(NOBODY), "--gid", str(NOBODY),
             "--clearenv", "--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--size", str(shm_mb * 2**20),
             "--tmpfs", "/dev/shm", "--perms", "1777", "--size", str(tmp_mb * 2**20), "--tmpfs", "/tmp", "--dir", str(env.get("HOME", HOME)),
             "--chdir", str(env.get("HOME", HOME)), *_system(), *_layout(binds)]
    for name, value in env.items():
        inner += ["--setenv", name, value]
    inner += command
    return _as_nobody(inner, binds) if os.geteuid() == 0 else inner


def _system() -> list:
    options = []
    for name in SYSTEM:
        host = Path("/") / name
        if host.is_symlink():
            options += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            options += ["--ro-bind", str(host), str(host)]
    options += ["--perms", "0755", "--dir", "/etc"]
    for path in SYSTEM_FILES:
        options += ["--ro-bind-try", path, path]
    return options


def _layout(binds) -> list:
    """Each bind's parent folders first (readable by anyone, whatever mode bubblewrap would give
    them), then the read-only binds; a source that does not exist, or that an earlier bind already
    shows at the same place, is left out."""
    kept = []
    for host, inside in binds:
        if os.path.exists(host) and not any(_within(host, inside, h, i) for h, i in kept):
            kept = [(h, i) for h, i in kept if not _within(h, i, host, inside)] + [(host, inside)]
    options, made = [], set()
    for _, inside in kept:
        for parent in reversed(Path(inside).parents):
            if str(parent) != "/" and str(parent) not in made and not _under_system(parent):
                made.add(str(parent))
                options += ["--perms", "0755", "--dir", str(parent)]
    for host, inside in kept:
        options += ["--ro-bind", host, inside]
    return options


def _within(host, inside, outer_host, outer_inside) -> bool:
    """Whether the bind (host → inside) is shown by the bind (outer_host → outer_inside) already."""
    try:
        return Path(host).relative_to(outer_host) == Path(inside).relative_to(outer_inside)
    except ValueError:
        return False


def _under_system(path: Path) -> bool:
    return len(path.parts) > 1 and path.parts[1] in SYSTEM


def _as_nobody(inner: list, binds) -> list:
    """Root's way into the same sandbox under an unprivileged uid: a first bubblewrap (as root,
    which may read folders `nobody` may not, such as an interpreter under /root) lays out the same
    folders; `setpriv` drops to `nobody` with no capabilities and no way to regain any; the
    sandbox proper is then made by `nobody`, whose user namespace maps its uid to `nobody` — never
    to root."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        raise SandboxUnavailable(_no_bwrap("grading as root needs setpriv (util-linux) to drop to an "
                                           "unprivileged user"))
    # The sandbox proper needs /proc to write its uid map, and a /tmp to build its root in.
    staging = [_bwrap_path(), "--die-with-parent", "--dev-bind", "/dev", "/dev", "--bind", "/proc", "/proc",
               "--tmpfs", "/tmp", *_system(), *_layout([(host, host) for host, _ in binds])]
    drop = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--inh-caps=-all",
            "--bounding-set=-all", "--no-new-privs"]
    return [*staging, *drop, *inner]


def _bwrap_path() -> str:
    path = shutil.which("bwrap")
    if path is None:
        raise SandboxUnavailable(_no_bwrap("bwrap is not installed"))
    return path


@lru_cache(maxsize=None)
def _supports(option: str) -> bool:
    try:
        done = subprocess.run([_bwrap_path(), "--help"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return option in done.stdout + done.stderr


def _no_bwrap(why: str) -> str:
    return t(f"no se puede aislar el código de las entregas: {why}. En Debian/Ubuntu: apt-get install bubblewrap "
             f"(y que el sistema permita espacios de nombres de usuario). Para corregir sin aislamiento, bajo tu "
             f"responsabilidad, añade --no-sandbox.",
             f"cannot isolate the submissions' code: {why}. On Debian/Ubuntu: apt-get install bubblewrap (and the "
             f"system must allow user namespaces). To grade without isolation, at your own risk, pass --no-sandbox.")


@lru_cache(maxsize=None)
def check_bwrap() -> None:
    """Raise SandboxUnavailable unless a sandbox as `bwrap()` builds it can start a process here."""
    if sys.platform != "linux":
        raise SandboxUnavailable(_no_bwrap(f"bubblewrap needs Linux, and this is {sys.platform}"))
    argv = bwrap([], [sys.executable, "-I", "-S", "-c", "pass"], environment(HOME))
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise SandboxUnavailable(_no_bwrap(f"bwrap could not start ({err})")) from None
    if done.returncode != 0:
        raise SandboxUnavailable(_no_bwrap(f"bwrap refused to start ({done.stderr.strip()[:200]})"))
