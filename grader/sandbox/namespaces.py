"""Linux namespaces for each run inside the bubblewrap sandbox, through libc (Python 3.11 has no
``os.unshare``).

    bwrap sandbox (user, pid, net, ipc, uts, mount; read-only root, /dev and /tmp)
      └── worker (warm: numpy, torch)
            └── intermediate, one per run, grader code only: new user, mount, IPC and pid
                namespaces; a private size-capped tmpfs on /tmp (and /dev/shm); an empty
                read-only /proc
                  └── child: pid 1 of the new pid namespace, in a nested user namespace
                      that holds no capability over any of the above; runs the submission

Nothing of the grader is in the child's reach: its parent is outside its pid namespace
(getppid() is 0), no other process shares that namespace, no file system is writable but
its own tmpfs, and its IPC objects are its own. When the child exits, the kernel kills
every process left in its namespace, and the mounts go with the intermediate.

Being pid 1, the child is its namespace's init: a signal it sends itself is ignored unless
it installed a handler (Python's SIGINT, the harness's SIGALRM). Exceptions, ``sys.exit``,
``os._exit``, crashes and every limit end it as usual.
"""

from __future__ import annotations

import ctypes
import os
import resource
import stat

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_BIND = 4096
MS_REC = 16384
RUN_FOLDER = "/tmp/submission"
RLIMITS = tuple(getattr(resource, name) for name in dir(resource) if name.startswith("RLIMIT_"))

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
_libc.unshare.argtypes = [ctypes.c_int]


def _check(result: int, what: str) -> None:
    if result != 0:
        number = ctypes.get_errno()
        raise OSError(number, f"{what}: {os.strerror(number)}")


def unshare(flags: int) -> None:
    _check(_libc.unshare(flags), "unshare")


def _mount(source: str | None, target: str, kind: str | None, flags: int, data: str | None = None) -> None:
    encoded = [s.encode() if s is not None else None for s in (source, target, kind, data)]
    _check(_libc.mount(encoded[0], encoded[1], encoded[2], flags, encoded[3]), f"mount {target}")


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def code_under_tmp() -> list[str]:
    """What bubblewrap mounted below /tmp (a checkout or a virtual environment there, as in CI):
    each run's own /tmp must show it again, read-only."""
    try:
        return sorted(os.listdir("/tmp"))
    except OSError:
        return []


def prepare_run(tmp_bytes: int, keep: list[str]) -> None:
    """In the (single-threaded) intermediate: the run's own namespaces and file system.

    The next child this process forks is pid 1 of the new pid namespace. Every mount made here
    lives in the run's mount namespace and is gone with it; the inherited mounts (a read-only
    root) are locked, so nothing can be unmounted to uncover what lies below. ``keep`` names
    the entries of the sandbox's /tmp that are bound again, as they were, over the new one.
    """
    uid, gid = os.geteuid(), os.getegid()
    unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWPID)
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"0 {uid} 1")
    _write("/proc/self/gid_map", f"0 {gid} 1")
    held = [os.open(f"/tmp/{name}", os.O_PATH | os.O_NOFOLLOW) for name in keep]
    _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={tmp_bytes},mode=0700")
    for name, fd in zip(keep, held, strict=True):
        target = f"/tmp/{name}"
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            os.mkdir(target, 0o755)
        else:
            os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o644))
        _mount(f"/proc/self/fd/{fd}", target, None, MS_BIND | MS_REC)  # keeps its read-only flags
        os.close(fd)
    os.mkdir("/tmp/.shm", 0o700)
    _mount("/tmp/.shm", "/dev/shm", None, MS_BIND)  # POSIX shared memory counts against /tmp's size
    _mount("tmpfs", "/proc", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555")
    os.mkdir(RUN_FOLDER, 0o700)


def drop_capabilities() -> None:
    """Enter a nested user namespace: no capability left over the run's mounts, or anything else."""
    unshare(CLONE_NEWUSER)


def close_fds_except(*keep: int) -> None:
    """Close every file descriptor above 2 but ``keep``: nothing of the worker leaks into a process."""
    low = 3
    for fd in sorted(k for k in keep if k >= 3):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, os.sysconf("SC_OPEN_MAX"))
