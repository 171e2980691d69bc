ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks the call harness: regression_grads SIGKILLs its own process.
# Expect: q2c/regression_grads "error"; everything else correct.
import os
import signal


def regression_grads(w1, w2, w3, x, y):
    os.kill(os.getpid(), signal.SIGKILL)
