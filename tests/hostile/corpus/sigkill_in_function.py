ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks the call harness: regression_grads SIGKILLs its own process.
# Expect: q2c/regression_grads "error" without namespaces ("wrong" in the sandbox, where the
# self-kill of a pid namespace's init is ignored and the function returns None); everything
# else correct.
import os
import signal


def regression_grads(w1, w2, w3, x, y):
    os.kill(os.getpid(), signal.SIGKILL)
