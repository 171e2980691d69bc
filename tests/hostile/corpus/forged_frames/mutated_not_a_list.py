ASSIGNMENT = "jhu-hw3"
# compose: template+snippet
# Attacks the parent's validation of result frames: the blank template, then, with the run's
# real nonce (found on the harness's stack), it sends its own "done" frame for the step that
# reads Q2B_TREND, whose "mutated" field is a number instead of a list of names.
# Expect: a malformed claim costs at most the item it is about: the run completes (exit 0),
# this submission gets 0 points and no "internal grader error".
import sys


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
for _index, _step in enumerate(_steps):
    if _writer is not None and _step.get("name") == "Q2B_TREND":
        _writer.send(k="done", results=[[_index, {"status": "ok", "value": {"t": "str", "v": "neither"}, "mutated": 5}]])
