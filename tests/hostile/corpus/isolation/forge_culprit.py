ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Tries to choose which step is blamed for its crash: classification_grads forges "done"
# frames and claims that the next step is one of Q2_NOTES (worth nothing), then kills its own
# process. A grader that believed the claim would blame Q2_NOTES and run the crashing call
# again, in a run where it might pass.
# Expect: q2b/classification_grads "error" (its own crash); every other automatic item correct.
import os

@@HARNESS@@


def classification_grads(w1, w2, w3, x, y):
    writer, steps = _harness()
    notes = [i for i, s in enumerate(steps) if s.get("name") == "Q2_NOTES"]
    if writer is not None and notes:
        writer.send(k="done", results=[], next=notes[0])
        writer.send(k="ready")
    os._exit(1)
