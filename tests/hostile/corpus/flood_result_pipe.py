ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks the parent's reader: classification_grads finds the descriptor of the result pipe
# on the harness's stack and writes endless 16 MB frames of junk into it.
# Expect: the parent caps what it reads and stops the run: q2b/classification_grads "error";
# everything else correct.
import os
import struct
import sys


def classification_grads(w1, w2, w3, x, y):
    frame, fd = sys._getframe(), None
    while frame is not None and fd is None:
        fd = next((v.fd for v in frame.f_locals.values() if hasattr(v, "nonce") and hasattr(v, "fd")), None)
        frame = frame.f_back
    junk = struct.pack(">I", 16 << 20) + b"{" * (16 << 20)
    while True:
        os.write(fd, junk)
