ASSIGNMENT = "jhu-hw3"
# compose: template+snippet
# Attacks the other students and the output: the blank template, then it tries to read the
# class folder (@@CLASS_DIR@@, given to it as if the student knew it, plus paths found in
# /proc/*/cmdline and /proc/*/cwd) and the output folder (@@OUT_DIR@@). It copies the answers
# of a good classmate (honest*.py) if it can read one, and answers Q2A_INF_ATTAINED right only if it could
# read the output folder.
# Expect (in the sandbox): nothing readable: every item missing, 0 points.
import glob
import os

_NAMES = ["grad_W", "Q1B_W_NEW", "l2_step", "sigmoid_prime", "Q2A_MAX", "Q2A_ARGMAX",
          "Q2A_INF", "Q2B_GRADS", "classification_grads", "Q2B_TREND", "regression_grads",
          "Q2D_GRADS", "Q2D_TREND"]
_folders = {"@@CLASS_DIR@@", "..", "../.."}
for _pid in os.listdir("/proc"):
    if _pid.isdigit():
        try:
            _folders.add(os.readlink(f"/proc/{_pid}/cwd"))
            with open(f"/proc/{_pid}/cmdline", "rb") as _handle:
                _folders.update(p.decode(errors="replace") for p in _handle.read().split(b"\0"))
        except OSError:
            pass
_loot = {}
for _folder in sorted(f for f in _folders if f):
    for _path in glob.glob(os.path.join(_folder, "*.py"))[:200]:
        if not os.path.basename(_path).startswith("honest") or _loot:
            continue  # a targeted copy: a classmate known to be good
        try:
            with open(_path, encoding="utf-8") as _handle:
                _text = _handle.read(1 << 20)
            if "ASSIGNMENT" in _text and "Q1B_W_NEW" in _text:
                _namespace = {"__name__": "loot"}
                exec(compile(_text, _path, "exec"), _namespace)
                if _namespace.get("Q1B_W_NEW") is not None:
                    _loot = {n: _namespace[n] for n in _NAMES if n in _namespace}
        except Exception:  # noqa: BLE001 - whatever fails, try the next file
            pass
globals().update(_loot)
try:
    os.listdir("@@OUT_DIR@@")
    Q2A_INF_ATTAINED = False
except OSError:
    pass
