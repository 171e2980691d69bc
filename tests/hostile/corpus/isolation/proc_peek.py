ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Looks for the grader's processes and files through /proc: the file descriptors, command
# lines and environments of every process it can list, and writes into any descriptor it
# can open (pid 1's stdout led to a host file once). Q2B_TREND is answered wrong if it could
# see any process other than its own.
# Expect (in the sandbox): /proc is empty; Q2B_TREND correct.
import os

# SAFETY: outside the sandbox this would write into every process's files, so the writes
# happen only inside a run's own namespaces (where, by design, there is nothing to write to).
_SANDBOXED = os.environ.get("GRADER_SANDBOXED") == "1" and os.getppid() == 0
_seen = []
try:
    _pids = [p for p in os.listdir("/proc") if p.isdigit()]
except OSError:
    _pids = []
for _pid in _pids:
    if int(_pid) == os.getpid():
        continue
    _seen.append(_pid)
    if not _SANDBOXED:
        continue
    try:
        for _fd in os.listdir(f"/proc/{_pid}/fd"):
            try:
                with open(f"/proc/{_pid}/fd/{_fd}", "a") as _handle:
                    _handle.write("written-by-proc_peek\n")
            except OSError:
                pass
    except OSError:
        pass
if _seen:
    Q2B_TREND = "neither"
