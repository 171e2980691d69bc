ASSIGNMENT = "jhu-hw3"
# compose: split
# Attacks the child process: os._exit(0) between Question 1 and Question 2, so the process
# ends "successfully" without any exception.
# Expect: the import counts as failed (status "error"); the process died, so nothing it
# defined survives: every item missing, 0 points.
import os

os._exit(0)
