ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks the child's own timer: l2_step ignores SIGALRM, then loops, so only the parent's
# deadline (and its kill) can stop it.
# Expect: q1b/l2_step "timeout"; every other automatic item correct.
import signal


def l2_step(W, X, Y, lr):
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    signal.setitimer(signal.ITIMER_REAL, 0)
    while True:
        pass
