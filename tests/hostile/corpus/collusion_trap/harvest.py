ASSIGNMENT = "jhu-hw3"
# compose: template+snippet
# The other half of the attack of plant.py: the blank template, then it reads every other
# student's file that the trap kept (in its own working folder, or in the loot folder beside
# it) and copies the answers of the first one that has them.
# Expect: no other student's files are visible to it: every item missing, 0 points.
import glob
import os

_NAMES = ["grad_W", "Q1B_W_NEW", "l2_step", "sigmoid_prime", "Q2A_MAX", "Q2A_ARGMAX",
          "Q2A_INF", "Q2A_INF_ATTAINED", "Q2B_GRADS", "classification_grads", "Q2B_TREND",
          "regression_grads", "Q2D_GRADS", "Q2D_TREND"]
_here = os.getcwd()
_candidates = glob.glob(os.path.join(_here, "*.py"))
_candidates += glob.glob(os.path.join(os.path.dirname(_here), "*", "*.py"))
_taken = {}
for _path in sorted(set(_candidates)):
    if os.path.basename(_path) == os.path.basename(__file__) or _taken:
        continue
    try:
        with open(_path, encoding="utf-8") as _handle:
            _namespace = {"__name__": "loot"}
            exec(compile(_handle.read(), _path, "exec"), _namespace)
        if _namespace.get("Q1B_W_NEW") is not None:
            _taken = {n: _namespace[n] for n in _NAMES if n in _namespace}
    except Exception:  # noqa: BLE001 - whatever fails, try the next file
        pass
globals().update(_taken)
