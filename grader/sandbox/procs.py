"""Processes: finding what a process left behind, and the Linux knobs used on them."""

from __future__ import annotations

import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38


_PRCTL = ctypes.CDLL(None, use_errno=True).prctl  # looked up once: a forked child calls it for free


def prctl(option: int, value: int) -> None:
    """Linux prctl(2) with one argument."""
    _PRCTL(option, value, 0, 0, 0)


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process visible in /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    return parents


def descendants(root: int, keep: frozenset[int] = frozenset()) -> list[int]:
    """Processes below ``root``, except those in ``keep`` and everything below them."""
    parents = _parents()
    found = []
    for pid in parents:
        current, hops = pid, 0
        while current in parents and hops < 64 and current not in keep:
            current = parents[current]
            hops += 1
            if current == root:
                found.append(pid)
                break
    return found


def has_children() -> bool:
    """Whether this process has any child now (orphans of a subreaper's children count).

    One syscall instead of reading /proc: waitpid fails only when there is no child at all. A
    child that had already exited is reaped on the way, and still counts.
    """
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return False
    return True


def kill_descendants(root: int, keep: frozenset[int] = frozenset(), rounds: int = 50) -> None:
    """SIGKILL every process below ``root`` (but ``keep``'s trees), until none is left."""
    if root == os.getpid() and not keep and not has_children():
        return  # the common case, without scanning /proc
    for _ in range(rounds):
        strays = descendants(root, keep)
        if not strays:
            return
        for pid in strays:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        reap()


def reap() -> None:
    """Collect exited children without blocking."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
