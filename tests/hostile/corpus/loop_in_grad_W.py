ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks the per-call limit: grad_W never returns (a pure-Python busy loop).
# Expect: q1a/grad_W "timeout"; every other automatic item correct.


def grad_W(dL_dP, X):
    while True:
        pass
