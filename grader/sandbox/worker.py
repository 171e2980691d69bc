"""The warm worker: forks one child per run, isolates and limits it, and cleans up after it.

Runs inside the sandbox with numpy (and torch) already imported. It reads only small
control messages from the parent; job data and results pass through file descriptors it
hands to the child and closes at once, so it never holds a submission's data.

    receive RUN ─▶ health check ─▶ fork ─▶ wait (or KILL) ─▶ clean up ─▶ send EXIT
                        │ failed                                  │ failed
                        └────────────── send POISONED, exit ◀─────┘

With bubblewrap, each run is an intermediate process that makes the run's own namespaces
and forks the child into them (``grader.sandbox.namespaces``): nothing of the worker, of
another run or of the file system outside the run's private /tmp is within the child's
reach. Without bubblewrap (``--sandbox none``) the child is forked directly and runs as the
same user with no namespace, so it could reach the worker; the health check then notices
the damage it can do (changed rlimits, a lost run folder) and the parent replaces the worker.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import resource
import select
import shutil
import signal
import socket
import sys
import tempfile
from collections import deque
from pathlib import Path
from typing import Any, NoReturn

from grader.limits import MAPPING_ALLOWANCE
from grader.protocol import HARNESS_CRASHED, MAX_CONTROL, Control
from grader.sandbox import hugepages, namespaces
from grader.sandbox.procs import (
    PR_SET_CHILD_SUBREAPER,
    PR_SET_DUMPABLE,
    PR_SET_NO_NEW_PRIVS,
    PR_SET_PDEATHSIG,
    kill_descendants,
    prctl,
)

Message = tuple[dict[str, Any] | None, list[int]]


def main(argv: list[str] | None = None) -> None:
    """Serve runs from the parent until told to stop or the parent goes away."""
    args = _parse(argv)
    ctrl = socket.socket(fileno=args.ctrl_fd)
    isolated = os.environ.get("GRADER_SANDBOXED") == "1"
    _harden_self()
    _site_builtins()
    _preload(torch=args.torch)
    hugepages.collapse()  # cheaper forks from here on
    own_limits = _own_limits()
    keep = namespaces.code_under_tmp() if isolated else []
    _send(ctrl, {"k": Control.READY, "pid": os.getpid()})
    shared: dict[str, list[dict[str, Any]]] = {}
    backlog: deque[Message] = deque()  # messages that arrived while a run was on
    while True:
        message, fds = backlog.popleft() if backlog else _receive(ctrl)
        kind = message.get("k") if message is not None else None
        if kind == Control.KILL:
            continue  # a kill that crossed the run's end on the wire
        if kind == Control.SHARED:
            from grader.harness.child import prebuild

            shared[message["id"]] = prebuild(json.loads(_read_fd(fds[0])))  # type: ignore[index]
            continue
        if kind != Control.RUN:
            return
        if _own_limits() != own_limits:
            _poisoned(ctrl, "a submission changed the worker's resource limits", fds)
        status = _serve(ctrl, message, fds, keep if isolated else None, shared, backlog)  # type: ignore[arg-type]
        _send(ctrl, {"k": Control.EXIT, "id": message["id"], **status})  # type: ignore[index]


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


def _own_limits() -> list[tuple[int, int]]:
    return [resource.getrlimit(kind) for kind in namespaces.RLIMITS]


def _poisoned(ctrl: socket.socket, reason: str, fds: list[int]) -> NoReturn:
    """Tell the parent why, and exit: the run just received was never started."""
    for fd in fds:
        os.close(fd)
    _send(ctrl, {"k": Control.POISONED, "reason": reason})
    os._exit(0)


def _send(ctrl: socket.socket, message: dict[str, Any]) -> None:
    try:
        ctrl.send(json.dumps(message).encode())
    except OSError:
        os._exit(0)  # the parent is gone


def _receive(ctrl: socket.socket) -> Message:
    try:
        data, fds, _, _ = socket.recv_fds(ctrl, MAX_CONTROL, 4)
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


def _serve(ctrl: socket.socket, message: dict[str, Any], fds: list[int], keep: list[str] | None,
           shared: dict[str, list[dict[str, Any]]], backlog: deque[Message]) -> dict[str, Any]:
    """One run: with namespaces (``keep`` names what stays visible under /tmp), or without."""
    job_in, job_out = fds
    isolated = keep is not None
    folder = None if isolated else _run_folder()
    if not isolated and folder is None:
        _poisoned(ctrl, "the worker cannot create a run folder", fds)
    mapped = _address_space()  # the child starts with exactly the worker's mappings
    gc.freeze()  # the child's collector then never touches (and copies) the worker's objects
    data = _data_size()
    _send(ctrl, {"k": Control.START, "id": message["id"]})
    pid = os.fork()
    if pid == 0:
        if folder is None:
            _intermediate(job_in, job_out, message["limits"], (mapped, data), shared, keep or [])
        _child(job_in, job_out, message["limits"], (mapped, data), shared, folder)
    os.close(job_in)
    os.close(job_out)
    status = _wait(ctrl, pid, message["id"], backlog)
    problem = _clean_up(folder)
    if problem:
        _send(ctrl, {"k": Control.EXIT, "id": message["id"], **status})
        _poisoned(ctrl, problem, [])
    return status


def _run_folder() -> str | None:
    """Without namespaces: a fresh folder for each run, in a folder of the worker's own that is
    emptied after every run (so that what a run writes beside its folder goes too)."""
    try:
        root = os.path.join(tempfile.gettempdir(), "grader-runs", str(os.getpid()))
        os.makedirs(root, mode=0o700, exist_ok=True)
        return tempfile.mkdtemp(prefix="run-", dir=root)
    except OSError:
        return None


def _intermediate(job_in: int, job_out: int, limits: dict[str, int], held: tuple[int, int],
                  shared: dict[str, list[dict[str, Any]]], keep: list[str]) -> NoReturn:
    """Grader code only: make the run's namespaces, fork the child into them, pass on how it ended."""
    try:
        namespaces.close_fds_except(job_in, job_out)
        os.setsid()
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        namespaces.prepare_run(limits["tmp"], keep)
        pid = os.fork()
        if pid == 0:
            namespaces.drop_capabilities()
            _child(job_in, job_out, limits, held, shared, namespaces.RUN_FOLDER)
        os.close(job_in)
        os.close(job_out)
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status):  # end as the child did, so that the worker reports its signal
            number = os.WTERMSIG(status)
            if number not in (signal.SIGKILL, signal.SIGSTOP):
                signal.signal(number, signal.SIG_DFL)
            os.kill(os.getpid(), number)
        os._exit(os.waitstatus_to_exitcode(status))
    finally:
        os._exit(HARNESS_CRASHED)


def _child(job_in: int, job_out: int, limits: dict[str, int], held: tuple[int, int],
           shared: dict[str, list[dict[str, Any]]], folder: str) -> NoReturn:
    try:
        namespaces.close_fds_except(job_in, job_out)
        os.setsid()
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        _limit(limits, *held)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        from grader.harness.child import run

        run(job_in, job_out, folder, shared)
    finally:
        os._exit(HARNESS_CRASHED)


def _limit(limits: dict[str, int], mapped: int, data: int) -> None:
    """Memory counted on top of what the warm worker holds (see ``grader.limits``)."""
    data += limits["memory"]
    resource.setrlimit(resource.RLIMIT_DATA, (data, data))
    space = mapped + limits["memory"] + MAPPING_ALLOWANCE
    resource.setrlimit(resource.RLIMIT_AS, (space, space))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_size"], limits["file_size"]))
    resource.setrlimit(resource.RLIMIT_CPU, (limits["cpu"], limits["cpu"] + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _address_space() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _data_size() -> int:
    """This process's data segment as RLIMIT_DATA counts it (private writable memory)."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[5]) * os.sysconf("SC_PAGE_SIZE")


def _wait(ctrl: socket.socket, pid: int, run_id: str, backlog: deque[Message]) -> dict[str, Any]:
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
            if message.get("k") == Control.KILL:
                if message.get("id") == run_id:
                    killed = True
                    os.kill(pid, signal.SIGKILL)
            else:
                backlog.append((message, fds))
    finally:
        os.close(pidfd)
    _, status = os.waitpid(pid, 0)
    return {"code": os.waitstatus_to_exitcode(status), "killed": killed}


def _clean_up(folder: str | None) -> str:
    """Kill every process the child left behind and delete what it wrote; "" or what failed.

    With namespaces, the kernel killed the run's processes with its pid 1, and what it wrote
    lived in its own /tmp, gone with its mount namespace. Only a child that escaped its
    intermediate's death (by clearing its death signal) is left to kill.
    """
    kill_descendants(os.getpid())
    if folder is None:
        return ""
    root = os.path.dirname(folder)
    try:
        names = _listing(root)
    except OSError:
        return f"the run folder {root} cannot be read"
    for name in names:
        path = os.path.join(root, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, onerror=_force)
        else:
            _force(os.unlink, path, None)
    try:
        return "" if not _listing(root) else f"the run folder {root} could not be emptied"
    except OSError:
        return f"the run folder {root} cannot be read"


def _listing(folder: str) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        os.chmod(folder, 0o700)  # the worker's own folder: a run may have locked it
        return os.listdir(folder)


def _force(function: Any, path: str, _: Any) -> None:
    """rmtree's error handler: make a folder the child locked writable again, then retry."""
    try:
        os.chmod(os.path.dirname(path), 0o700)
        os.chmod(path, 0o700)
        function(path)
    except OSError:
        pass


if __name__ == "__main__":
    main()
