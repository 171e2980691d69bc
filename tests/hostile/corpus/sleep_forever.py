ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks the time limits by blocking instead of computing: a non-daemon thread that sleeps
# "forever" is started at import, and regression_grads sleeps forever.
# Expect: q2c/regression_grads "timeout"; the thread does not keep the run alive; everything
# else correct.
import threading
import time

threading.Thread(target=time.sleep, args=(10**6,)).start()


def regression_grads(w1, w2, w3, x, y):
    time.sleep(10**6)
