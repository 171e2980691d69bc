# Not a submission: the helper the forging cases paste in, which finds the harness's frame
# writer and its list of steps on the call stack (the run's nonce is the writer's).
import sys


def _harness():
    writer = steps = None
    frame = sys._getframe()
    while frame is not None:
        for value in list(frame.f_locals.values()):
            if writer is None and hasattr(value, "nonce") and hasattr(value, "send"):
                writer = value
            if isinstance(value, list) and value and all(isinstance(s, dict) and "op" in s for s in value):
                steps = value if steps is None or len(value) > len(steps) else steps
        frame = frame.f_back
    return writer, steps or []
