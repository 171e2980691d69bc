ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks the time limits by blocking instead of computing: a non-daemon thread that sleeps
# "forever" is started at import, and sigmoid_prime sleeps forever.
# Expect: q2a/sigmoid_prime "timeout"; the thread does not keep the run alive; everything
# else correct.
import threading
import time

threading.Thread(target=time.sleep, args=(10**6,)).start()


def sigmoid_prime(z):
    time.sleep(10**6)
