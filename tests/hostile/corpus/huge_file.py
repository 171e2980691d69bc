ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks the disk: tries to write a 2 GB file into the temporary folder at import (and keeps
# going when that fails), and a 2 GB file into the working folder from grad_W.
# Expect: the file-size limit stops both; q1a/grad_W "error"; everything else correct; no
# such file is left anywhere.
import os
import tempfile

_CHUNK = b"\0" * (1 << 20)


def _fill(path):
    with open(path, "wb") as handle:
        for _ in range(2048):
            handle.write(_CHUNK)


try:
    _fill(os.path.join(tempfile.gettempdir(), "huge-@@MARKER@@"))
except OSError:
    pass


def grad_W(dL_dP, X):
    _fill("huge-@@MARKER@@")
