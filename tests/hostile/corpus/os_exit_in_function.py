ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks the call harness: l2_step ends the process with os._exit(0) (no exception, exit
# code 0), so the rest of the run must be redone in a fresh child.
# Expect: q1b/l2_step "error"; everything else correct.
import os


def l2_step(W, X, Y, lr):
    os._exit(0)
