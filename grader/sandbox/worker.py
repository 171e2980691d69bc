"""The warm worker: forks one child per run, limits it, and cleans up after it.

Runs inside the sandbox with numpy (and torch) already imported. It reads only
small control messages; job data and results pass through file descriptors it
hands to the child and closes at once.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import resource
import secrets
import select
import shutil
import signal
import socket
import sys
from collections import deque
from pathlib import Path
from typing import Any, NoReturn

from grader.sandbox import hugepages
from grader.sandbox.procs import (
    PR_SET_CHILD_SUBREAPER,
    PR_SET_DUMPABLE,
    PR_SET_PDEATHSIG,
    kill_descendants,
    prctl,
)

MAX_MESSAGE = 1 << 16
SCRATCH_NAME = "grader-runs"


def main(argv: list[str] | None = None) -> None:
    """Serve runs from the parent until told to stop or the parent goes away."""
    args = _parse(argv)
    ctrl = socket.socket(fileno=args.ctrl_fd)
    _harden_self()
    _site_builtins()
    _preload(torch=args.torch)
    hugepages.collapse()  # cheaper forks from here on
    scratch = _scratch_root()
    ctrl.send(json.dumps({"k": "ready", "pid": os.getpid()}).encode())
    shared: dict[str, list[dict[str, Any]]] = {}
    backlog: deque[tuple[dict[str, Any] | None, list[int]]] = deque()  # sent while a run was on
    while True:
        message, fds = backlog.popleft() if backlog else _receive(ctrl)
        if message is not None and message.get("k") == "kill":
            continue  # a kill that crossed the run's end on the wire
        if message is not None and message.get("k") == "shared":
            from grader.harness.child import prebuild

            shared[message["id"]] = prebuild(json.loads(_read_fd(fds[0])))
            continue
        if message is None or message.get("k") != "run":
            return
        status = _serve(ctrl, message, fds, scratch, shared, backlog)
        _cleanup(scratch)
        ctrl.send(json.dumps({"k": "exit", "id": message["id"], **status}).encode())


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="grader-worker")
    parser.add_argument("--ctrl-fd", type=int, required=True)
    parser.add_argument("--torch", action="store_true")
    return parser.parse_args(argv)


def _harden_self() -> None:
    """Children may not ptrace the worker, and orphans of a child come back to it."""
    prctl(PR_SET_DUMPABLE, 0)
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _site_builtins() -> None:
    """``exit``, ``quit``, ``help`` and ``copyright`` as site gives them: the worker runs without
    site's start-up (see ``bwrap.WORKER_BOOT``), and student code may call them."""
    import site

    site.setquit()
    site.sethelper()
    site.setcopyright()


# Imported once per worker rather than once per child: the templates' own imports, and the
# side-effect-free standard modules homework code often uses (9 ms and 0.8 MB here).
PRELOAD = ("numpy", "numpy.typing", "collections", "copy", "dataclasses", "decimal", "fractions",
           "functools", "itertools", "math", "numbers", "operator", "random", "statistics", "string",
           "typing", "warnings")


def _preload(*, torch: bool) -> None:
    """Import once here what every child needs, then drop paths that could reach the answer key."""
    for name in PRELOAD:
        importlib.import_module(name)

    import grader.harness.child  # noqa: F401

    if torch:
        try:
            import torch as torch_module

            torch_module.set_num_threads(1)  # as the parent computes the reference (same bits)
            torch_module.set_num_interop_threads(1)
        except ImportError:
            pass
        else:
            from grader.harness.calls import watch_autograd

            watch_autograd()  # before any student code, which may bind torch.autograd.grad
    sys.path[:] = [p for p in sys.path if not Path(p, "solutions").is_dir()]


def _scratch_root() -> Path:
    root = Path(os.environ.get("TMPDIR", "/tmp")) / SCRATCH_NAME / str(os.getpid())
    root.mkdir(parents=True, exist_ok=True)
    return root


def _receive(ctrl: socket.socket) -> tuple[dict[str, Any] | None, list[int]]:
    try:
        data, fds, _, _ = socket.recv_fds(ctrl, MAX_MESSAGE, 4)
    except OSError:
        return None, []
    if not data:
        return None, []
    return json.loads(data), list(fds)


def _read_fd(fd: int) -> bytes:
    chunks = []
    try:
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)


def _serve(ctrl: socket.socket, message: dict[str, Any], fds: list[int], scratch: Path,
           shared: dict[str, list[dict[str, Any]]], backlog: deque[Any]) -> dict[str, Any]:
    job_in, job_out = fds
    workdir = os.path.join(scratch, f"run-{secrets.token_hex(8)}")
    os.mkdir(workdir, mode=0o700)  # fails rather than reuse anything a previous run left
    mapped = _address_space()  # the child starts with exactly the worker's mappings
    gc.freeze()  # the child's collector then never touches (and copies) the worker's objects
    pid = os.fork()
    if pid == 0:
        _child(ctrl, job_in, job_out, workdir, message["limits"], mapped, shared)
    os.close(job_in)
    os.close(job_out)
    return _wait(ctrl, pid, message["id"], backlog)


def _child(ctrl: socket.socket, job_in: int, job_out: int, workdir: str, limits: dict[str, int], mapped: int,
           shared: dict[str, list[dict[str, Any]]]) -> NoReturn:
    try:
        ctrl.close()
        os.setsid()
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        _limit(limits, mapped)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        from grader.harness.child import run

        run(job_in, job_out, workdir, shared)
    finally:
        os._exit(70)


def _limit(limits: dict[str, int], mapped: int) -> None:
    """Memory counted on top of what the warm worker maps (``mapped``); files and CPU capped."""
    resource.setrlimit(resource.RLIMIT_AS, (mapped + limits["memory"], mapped + limits["memory"]))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_size"], limits["file_size"]))
    resource.setrlimit(resource.RLIMIT_CPU, (limits["cpu"], limits["cpu"] + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _address_space() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _wait(ctrl: socket.socket, pid: int, run_id: str, backlog: deque[Any]) -> dict[str, Any]:
    """Wait for the child to exit, or for the parent to ask for it to be killed.

    Other messages (the next run, queued by the parent) wait in ``backlog``.
    """
    pidfd = os.pidfd_open(pid)
    killed = False
    try:
        while True:
            ready, _, _ = select.select([pidfd, ctrl.fileno()], [], [])
            if pidfd in ready:  # the child exited
                break
            message, fds = _receive(ctrl)
            if message is None:
                os.kill(pid, signal.SIGKILL)
                os._exit(0)
            if message.get("k") == "kill":
                if message.get("id") == run_id:
                    killed = True
                    os.kill(pid, signal.SIGKILL)
            else:
                backlog.append((message, fds))
    finally:
        os.close(pidfd)
    _, status = os.waitpid(pid, 0)
    return {"code": os.waitstatus_to_exitcode(status), "killed": killed}


def _cleanup(scratch: Path) -> None:
    """Kill every process the child left behind and delete every file it wrote."""
    kill_descendants(os.getpid())
    for leftover in scratch.iterdir():
        _remove(leftover)
    if os.environ.get("GRADER_SANDBOXED") != "1":
        return  # without the sandbox /tmp is the host's: only our own folder is ours to wipe
    for folder in ("/tmp", "/dev/shm", "/var/tmp"):
        try:
            names = os.listdir(folder)  # cheap: usually empty but for our scratch folder
        except OSError:
            continue
        for name in names:
            leftover = Path(folder, name)
            if name != SCRATCH_NAME and not _holds_code(leftover):
                _remove(leftover)


def _holds_code(path: Path) -> bool:
    """Whether the interpreter or the grader is mounted below ``path`` (read-only, never wiped)."""
    prefix = str(path) + os.sep
    return any(p.startswith(prefix) for p in [*sys.path, os.path.dirname(__file__)])


def _remove(path: Path) -> None:
    """Delete a file, a link (never what it points to) or a folder tree."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    main()
