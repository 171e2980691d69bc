ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Leaves IPC objects for later runs: a SysV shared memory segment and message queue with a
# fixed key, a POSIX shared memory object, and a daemon that listens on an abstract unix
# socket. ipc_victim.py looks for each.
# Expect: its answers are the reference's; ipc_victim.py finds nothing.
import ctypes
import os
import socket

# SAFETY: outside the sandbox these objects would outlive the test on the host, so they are
# made only inside a run's own namespaces.
_SANDBOXED = os.environ.get("GRADER_SANDBOXED") == "1" and os.getppid() == 0
_libc = ctypes.CDLL(None, use_errno=True)
_KEY = 0x6A68_7533
if _SANDBOXED:
    _libc.shmget(_KEY, 4096, 0o1666)  # IPC_CREAT | 0666
    _libc.msgget(_KEY, 0o1666)
    try:
        from multiprocessing import shared_memory

        shared_memory.SharedMemory(name="grader-ipc-marker", create=True, size=4096)
    except Exception:
        pass
if os.fork() == 0:
    try:
        os.setsid()
        _server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        _server.bind("\0grader-ipc-marker")
        _server.listen(1)
        while True:
            _server.accept()[0].close()
    finally:
        os._exit(0)
