ASSIGNMENT = "jhu-hw3"
# compose: template+snippet
# Attacks the harness from inside its own process: the blank template, then it replaces the
# harness's encode, call, value lookup and FrameWriter.send, so every later step claims an
# "ok" result with "points"/"outcome" fields, and forges a "done" frame for every step with
# the run's real nonce (found on the harness's stack frame).
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
_original_send = _child.FrameWriter.send


def _send(self, **fields):
    if fields.get("k") == "done":
        fields["result"] = dict(_CLAIM)
    _original_send(self, points=27, outcome="correct", status="graded", **fields)


_child.FrameWriter.send = _send

_frame = sys._getframe()
while _frame is not None:
    _locals = _frame.f_locals
    if "writer" in _locals and "job" in _locals:
        for _index in range(len(_locals["job"]["steps"])):
            _locals["writer"].send(k="done", step=_index, result=dict(_CLAIM))
        break
    _frame = _frame.f_back
