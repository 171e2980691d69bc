"""Finding out whether bubblewrap works here, and the command line that starts a worker in it."""

from __future__ import annotations

import enum
import functools
import importlib.util
import json
import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import grader
from grader.errors import EnvironmentProblem

SYSTEM_DIRS = ("/usr", "/bin", "/lib", "/lib64", "/lib32", "/sbin")
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "localtime", "passwd", "group", "nsswitch.conf")
PASSED_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LANG", "LC_ALL", "TZ")
# The worker starts without site (-S): no hook in the host's .pth files runs in the sandbox, and
# nothing such a hook imports is forked into every child (this machine's certifi hook brings
# threading, whose at-fork handler cost each child 0.75 ms of CPU). The paths come from here.
WORKER_BOOT = ("import json, sys; sys.path[:] = json.loads(sys.argv.pop(1)); "
               "from grader.sandbox.worker import main; main()")


class SandboxMode(enum.StrEnum):
    """How submissions are isolated."""

    BWRAP = "bwrap"
    NONE = "none"


@functools.cache
def bwrap_works() -> bool:
    """Whether bubblewrap can create the namespaces we need (tried once, not guessed)."""
    path = shutil.which("bwrap")
    if not path:
        return False
    try:
        done = subprocess.run(
            [path, *_namespaces(), "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "true"],
            capture_output=True, timeout=10, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def detect_mode(requested: str) -> SandboxMode:
    """The sandbox to use: ``auto`` picks bubblewrap when it works."""
    if requested == "none":
        return SandboxMode.NONE
    if bwrap_works():
        return SandboxMode.BWRAP
    if requested == "bwrap":
        raise EnvironmentProblem(
            "bubblewrap is required (--sandbox bwrap) but does not work here: "
            "install it (apt-get install bubblewrap) and allow user namespaces"
        )
    return SandboxMode.NONE


def _namespaces() -> list[str]:
    return ["--unshare-all", "--uid", "65534", "--gid", "65534", "--die-with-parent", "--new-session"]


def environment() -> dict[str, str]:
    """The child's whole environment: nothing secret is inherited."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "LANG": "C.UTF-8",
    }
    env.update({k: os.environ[k] for k in PASSED_ENV if k in os.environ})
    return env


def worker_command(mode: SandboxMode, ctrl_fd: int, *, torch: bool, hidden: tuple[Path, ...] = ()) -> list[str]:
    """The argv that starts one worker, wrapped in bubblewrap when ``mode`` says so.

    ``hidden`` names what must not be visible inside even when it lies below a mounted folder
    (a virtual environment that holds the checkout): the reference, the rubrics with their
    alternates, the output folder, the class.
    """
    python = [sys.executable, "-I", "-S", "-c", WORKER_BOOT, json.dumps(worker_path()), "--ctrl-fd", str(ctrl_fd)]
    if torch:
        python.append("--torch")
    if mode is SandboxMode.NONE:
        return python
    return [shutil.which("bwrap") or "bwrap", *_namespaces(), *mounts(hidden), "--chdir", "/",
            "--clearenv", *_setenv(), "--", *python]


def worker_path() -> list[str]:
    """The worker's ``sys.path``: this interpreter's, without the script's or working folder in
    front, and with wherever grader, numpy and torch are found (an install hook may place them
    off the path)."""
    entries = sys.path if sys.flags.safe_path else sys.path[1:]
    found = [_package_root(name) for name in ("grader", "numpy", "torch")]
    return list(dict.fromkeys(p for p in [*entries, *found] if p and os.path.isabs(p)))


@functools.cache  # asked for every worker's path and again for its mounts
def _package_root(name: str) -> str:
    """The folder that holds package ``name``, found without importing it ("" if absent)."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return ""
    if spec is None or not spec.origin:
        return ""
    return str(Path(spec.origin).resolve().parent.parent)


def _setenv() -> list[str]:
    args: list[str] = []
    for key, value in {**environment(), "GRADER_SANDBOXED": "1", "TMPDIR": "/tmp"}.items():
        args += ["--setenv", key, value]
    return args


def mounts(hidden: tuple[Path, ...] = ()) -> list[str]:
    """The sandbox's file system: read-only system and Python folders, read-only /dev, an empty
    read-only /tmp (each run mounts its own there), and nothing else.

    Everything is read-only: a submission can leave nothing behind for a later run. Below a
    mounted folder, each ``hidden`` path is covered by an empty read-only folder (or, for a
    file, by /dev/null).
    """
    args: list[str] = []
    bound: list[str] = []
    for top in SYSTEM_DIRS:
        path = Path(top)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), top]
        elif path.is_dir():
            args += ["--ro-bind", top, top]
            bound.append(top)
    for name in ETC_FILES:
        if Path("/etc", name).exists():
            args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    for code in _python_paths():
        args += ["--ro-bind", code, code]
        bound.append(code)
    args += _masks(hidden, bound)
    args += ["--proc", "/proc", "--dev", "/dev", "--dir", "/tmp", "--remount-ro", "/dev", "--remount-ro", "/"]
    return args


def _masks(hidden: tuple[Path, ...], bound: list[str]) -> list[str]:
    args: list[str] = []
    for path in sorted({str(p.resolve()) for p in hidden if p.exists()}):
        if not any(path == b or path.startswith(b.rstrip(os.sep) + os.sep) for b in bound):
            continue
        if Path(path).is_dir():
            args += ["--perms", "0555", "--size", "4096", "--tmpfs", path, "--remount-ro", path]
        else:
            args += ["--ro-bind", "/dev/null", path]
    return args


def _python_paths() -> list[str]:
    """The interpreter, its libraries and the grader package, and nothing beside them."""
    package = Path(grader.__file__).resolve().parent
    roots = [_package_root(name) for name in ("numpy", "torch")]
    candidates = {sys.base_prefix, sys.prefix, *site.getsitepackages(), str(package), *filter(None, roots)}
    executable = Path(sys.executable).resolve()
    candidates.add(str(executable.parent))
    paths = sorted(p for p in {str(Path(c).resolve()) for c in candidates} if Path(p).exists())
    return [p for p in paths if not any(p != q and p.startswith(q + os.sep) for q in paths)]
