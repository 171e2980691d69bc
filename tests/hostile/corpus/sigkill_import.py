ASSIGNMENT = "jhu-hw3"
# compose: split
# Attacks the child process: it SIGKILLs itself between Question 1 and Question 2.
# Expect: status "error"; every item missing, 0 points.
import os
import signal

os.kill(os.getpid(), signal.SIGKILL)
