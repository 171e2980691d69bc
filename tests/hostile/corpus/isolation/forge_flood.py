ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Floods the parent with frames built to cost it memory: every frame just under the size
# limit, full of nested empty containers, and results for every step carrying values as
# large as a frame allows, in every run.
# Expect: the parent's memory stays bounded (the test measures it); this submission loses
# what it flooded; the run completes.
@@HARNESS@@

_writer, _steps = _harness()
if _writer is not None:
    _nested = [[[]] * 1000] * 18  # under 20,000 containers: the most a frame may carry
    _big = "x" * (3 << 20)
    for _round in range(40):
        try:
            _writer.send(k="done", results=[[99999, {"status": "ok", "value": _nested}]], next=None)
            _writer.send(k="done", results=[[_round % max(len(_steps), 1),
                                             {"status": "ok", "value": {"t": "str", "v": _big}}]], next=None)
        except OSError:
            break
