ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks the memory limit: l2_step allocates 50 GB.
# Expect: q1b/l2_step "error" (MemoryError under the limit); everything else correct.


def l2_step(W, X, Y, lr):
    hog = bytearray(50 << 30)
    return hog
