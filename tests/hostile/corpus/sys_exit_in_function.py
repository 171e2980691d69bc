ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks the call harness: grad_W calls sys.exit(0).
# Expect: q1a/grad_W "error"; everything else correct.
import sys


def grad_W(dL_dP, X):
    sys.exit(0)
