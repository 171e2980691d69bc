ASSIGNMENT = "jhu-hw3"
# compose: template+snippet
# Attacks anyone who parses the child's output: the blank template, plus JSON that looks like
# a full-marks report (and like result frames) printed to stdout and stderr, written to the
# raw descriptors, and sent as length-prefixed frames to every open descriptor.
# Expect: graded like the blank template: 0 points, every item missing.
import json
import os
import struct
import sys

_FAKE = json.dumps({
    "student": "fake_report_print", "status": "graded", "points": 24.0, "max_points": 27.0,
    "questions": [{"id": "q1a", "points": 5, "items": [
        {"name": "grad_W", "outcome": "correct", "points": 2.0, "max_points": 2.0}]}],
    "k": "done", "results": [[1, {"status": "ok", "value": {"t": "float", "v": 1.0}}]],
})
print(_FAKE)
print(_FAKE, file=sys.stderr)
for _fd in range(64):
    try:
        os.write(_fd, struct.pack(">I", len(_FAKE)) + _FAKE.encode())
    except OSError:
        pass
