ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks the call harness: sigmoid_prime SIGKILLs its own process.
# Expect: q2a/sigmoid_prime "error"; everything else correct.
import os
import signal


def sigmoid_prime(z):
    os.kill(os.getpid(), signal.SIGKILL)
