ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks the result channel's size caps: grad_W and l2_step return a million floats (about
# 11 MB of encoded result) on every call, so one run reports far more than the parent's
# per-run cap.
# Expect: q1a/grad_W and q1b/l2_step earn nothing ("wrong" or "error"); everything else is
# still graded correct.
import numpy as np


def grad_W(dL_dP, X):
    return np.random.default_rng(0).random(1_000_000)


def l2_step(W, X, Y, lr):
    return np.random.default_rng(1).random(1_000_000)
