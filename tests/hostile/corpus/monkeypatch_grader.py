ASSIGNMENT = "jhu-hw3"
# compose: template+snippet
# Attacks the harness from inside its own process: the blank template, then it replaces the
# harness's encode, call, value lookup and FrameWriter.send, so every later step claims an
# "ok" result with "points"/"outcome" fields, and forges a "done" frame for every step with
# the run's real nonce (the harness's own writer, found on the call stack).
# Expect: the parent computes every score itself: 0 points, nothing correct, nothing pending.
import sys

import grader.harness.calls as _calls
import grader.harness.child as _child
import grader.harness.codec as _codec

_CLAIM = {"status": "ok", "value": {"t": "float", "v": 1.0}, "mutated": [], "autograd": False,
          "points": 27, "outcome": "correct", "score": 1.0}


def _fake_encode(value, *args, **kwargs):
    return {"t": "float", "v": 1.0, "points": 27, "outcome": "correct"}


def _fake_call(*args, **kwargs):
    return dict(_CLAIM)


_codec.encode = _child.encode = _fake_encode
_calls.call = _child.call = _fake_call
_child._run_step = lambda step, spaces: dict(_CLAIM)
_original_send = getattr(getattr(_child, "FrameWriter", None), "send", None)


def _send(self, **fields):
    if fields.get("k") == "done":
        fields["results"] = [[index, dict(_CLAIM)] for index, _ in fields.get("results", [])]
    _original_send(self, points=27, outcome="correct", status="graded", **fields)


if _original_send is not None:
    _child.FrameWriter.send = _send


def _harness():
    """The harness's frame writer and its list of steps, found on the call stack."""
    writer = steps = None
    frame = sys._getframe()
    while frame is not None:
        for value in list(frame.f_locals.values()):
            if writer is None and hasattr(value, "nonce") and hasattr(value, "send"):
                writer = value
            if isinstance(value, dict) and isinstance(value.get("steps"), list):
                value = value["steps"]
            if isinstance(value, list) and value and all(isinstance(s, dict) and "op" in s for s in value):
                steps = value if steps is None or len(value) > len(steps) else steps
        frame = frame.f_back
    return writer, steps or []


_writer, _steps = _harness()
for _index in range(len(_steps)):
    if _writer is not None:
        _writer.send(k="done", results=[[_index, dict(_CLAIM)]])
