ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# The victim of ipc.py: answers Q2B_TREND wrong if any IPC object of an earlier run survived.
# Expect: every automatic item correct.
import ctypes
import os
import socket

_libc = ctypes.CDLL(None, use_errno=True)
_KEY = 0x6A68_7533
_found = []
if _libc.shmget(_KEY, 0, 0) != -1:
    _found.append("shm")
if _libc.msgget(_KEY, 0) != -1:
    _found.append("msg")
if os.path.exists("/dev/shm/grader-ipc-marker"):
    _found.append("posix shm")
try:
    _client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    _client.settimeout(1.0)
    _client.connect("\0grader-ipc-marker")
    _found.append("socket")
except OSError:
    pass
if _found:
    Q2B_TREND = "neither"
