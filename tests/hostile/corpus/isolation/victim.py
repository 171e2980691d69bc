ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# The victim of plant.py and of every other attack on later runs: an honest submission that
# looks for what an earlier run could have left, and answers Q2B_TREND wrong if it finds any.
# Expect: every automatic item correct (nothing was left for it to find).
import glob
import os
import sys

_found = []
try:
    import grader_plant_probe  # noqa: F401 - planted by an earlier run?
    _found.append("module")
except ImportError:
    pass
for _place in [*sys.path, "/", "/etc", "/root", "/dev", "/dev/shm", "/tmp", "/var/tmp", os.getcwd(),
               os.path.dirname(os.getcwd())]:
    if _place and glob.glob(os.path.join(_place, "grader-*-marker")):
        _found.append(_place)
if os.path.exists("/tmp/hostile-fill") or os.path.exists("/dev/shm/hostile-fill"):
    _found.append("fill")
if _found:
    Q2B_TREND = "neither"
