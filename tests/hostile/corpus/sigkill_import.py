ASSIGNMENT = "jhu-hw3"
# compose: split
# Attacks the child process: it SIGKILLs itself between Question 1 and Question 2.
# Expect: without namespaces, status "error"; every item missing, 0 points. In the sandbox
# the run's process is its pid namespace's init, which ignores a signal it sends itself: the
# kill does nothing, and Question 2 is graded as the reference.
import os
import signal

os.kill(os.getpid(), signal.SIGKILL)
