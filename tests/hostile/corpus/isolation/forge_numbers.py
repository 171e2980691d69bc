ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Claims numbers no float holds: Q2A_MAX as the int 10**400 and Q2A_ARGMAX as 1e400, in
# forged frames sent before the harness reads them.
# Expect: both "wrong" (not finite), no internal error; everything else correct.
@@HARNESS@@

_writer, _steps = _harness()
for _i, _step in enumerate(_steps):
    if _writer is not None and _step.get("name") == "Q2A_MAX":
        _writer.send(k="done", results=[[_i, {"status": "ok", "value": {"t": "int", "v": 10**400}}]])
    if _writer is not None and _step.get("name") == "Q2A_ARGMAX":
        _writer.send(k="done", results=[[_i, {"status": "ok", "value": {"t": "float", "v": float("inf")}}]])
