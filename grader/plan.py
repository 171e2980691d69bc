"""The steps a child runs for one submission: load the code, then read and call each item.

Item steps are the same for every student of an assignment and are built
once per run; only the load steps differ from one submission to the next.
"""

from __future__ import annotations

from typing import Any

from grader.load import Submission
from grader.probes import Probe
from grader.rubric import Rubric
from grader.steps import SharedSteps, Step


def item_steps(rubric: Rubric, probes: dict[str, list[Probe]], gradable: set[str]) -> list[Step]:
    """What the child does for every gradable item, in rubric order (each kind says what)."""
    steps: list[Step] = []
    for question, item, _ in rubric.items():
        key = f"{question.id}/{item.name}"
        if key in gradable:
            steps += item.child_steps(key, probes.get(key, []))
    return steps


def load_steps(sub: Submission, rubric: Rubric) -> list[Step]:
    """Running the submission's code as the student would have, one cell at a time."""
    steps = []
    for cell in sub.cells:
        if cell.kind == "writefile":
            body = {"op": "writefile", "path": cell.path, "source": cell.source, "append": cell.append}
        else:
            body = {"op": "cell", "source": cell.source, "filename": _filename(sub, cell.filename)}
        label = f"cell {cell.number}" if sub.is_notebook else sub.entry
        steps.append(Step(body, rubric.cell_timeout, cell=cell.number, label=label))
    if rubric.implementation is not None:
        module = rubric.implementation.module
        steps.append(Step({"op": "import", "module": module}, rubric.cell_timeout, cell=-1, label=f"{module}.py"))
    return steps


def _filename(sub: Submission, cell_name: str) -> str:
    return cell_name if sub.is_notebook else sub.entry


def payload(sub: Submission, load: list[Step], shared: SharedSteps, run: list[int],
            batch: float) -> dict[str, Any]:
    """The job a child reads: the submission's files, its load steps, the steps to run, and how
    long it may gather results before it sends them (0: one frame per step)."""
    return {
        # A notebook's cells are load steps: its .ipynb (outputs and all) is not needed on disk.
        "files": {name: data.decode("latin-1") for name, data in sub.files.items()
                  if not (sub.is_notebook and name == sub.entry)},
        "entry": sub.entry,
        "module_name": "__main__" if sub.is_notebook else "submission",
        "load": [step.wire() for step in load],
        "shared": shared.id,
        "run": run,
        "batch": batch,
    }
