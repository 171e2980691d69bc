"""Finding out whether bubblewrap works here, and the command line that starts a worker in it."""

from __future__ import annotations

import enum
import functools
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
TMP_BYTES = 256 << 20


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


def worker_command(mode: SandboxMode, ctrl_fd: int, *, torch: bool) -> list[str]:
    """The argv that starts one worker, wrapped in bubblewrap when ``mode`` says so."""
    python = [sys.executable, "-I", "-m", "grader.sandbox.worker", "--ctrl-fd", str(ctrl_fd)]
    if torch:
        python.append("--torch")
    if mode is SandboxMode.NONE:
        return python
    return [shutil.which("bwrap") or "bwrap", *_namespaces(), *_mounts(), "--chdir", "/tmp",
            "--clearenv", *_setenv(), "--", *python]


def _setenv() -> list[str]:
    args: list[str] = []
    for key, value in {**environment(), "GRADER_SANDBOXED": "1", "TMPDIR": "/tmp"}.items():
        args += ["--setenv", key, value]
    return args


def _mounts() -> list[str]:
    # The private /tmp comes first: binds below may live under /tmp (a checkout or venv there).
    args: list[str] = ["--size", str(TMP_BYTES), "--tmpfs", "/tmp"]
    for top in SYSTEM_DIRS:
        path = Path(top)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), top]
        elif path.is_dir():
            args += ["--ro-bind", top, top]
    for name in ETC_FILES:
        if Path("/etc", name).exists():
            args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    for code in _python_paths():
        args += ["--ro-bind", code, code]
    args += ["--proc", "/proc", "--dev", "/dev"]
    return args


def _python_paths() -> list[str]:
    """The interpreter, its libraries and the grader package, and nothing beside them."""
    package = Path(grader.__file__).resolve().parent
    candidates = {sys.base_prefix, sys.prefix, *site.getsitepackages(), str(package)}
    executable = Path(sys.executable).resolve()
    candidates.add(str(executable.parent))
    paths = sorted(p for p in {str(Path(c).resolve()) for c in candidates} if Path(p).exists())
    return [p for p in paths if not any(p != q and p.startswith(q + os.sep) for q in paths)]
