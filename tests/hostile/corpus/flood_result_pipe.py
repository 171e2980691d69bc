ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks the parent's reader: sigmoid_prime finds the descriptor of the result pipe on the
# harness's stack and writes endless 16 MB frames of junk into it.
# Expect: the parent caps what it reads and stops the run: q2a/sigmoid_prime "error";
# everything else correct.
import os
import struct
import sys


def sigmoid_prime(z):
    frame = sys._getframe()
    while frame is not None and "writer" not in frame.f_locals:
        frame = frame.f_back
    fd = frame.f_locals["writer"].fd
    junk = struct.pack(">I", 16 << 20) + b"{" * (16 << 20)
    while True:
        os.write(fd, junk)
