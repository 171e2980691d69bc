"""The steps a child runs for one submission: load the code, then read and call each item.

Item steps are the same for every student of an assignment and are built
once per run; only the load steps differ from one submission to the next.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from grader.kinds.function import FunctionItem
from grader.limits import VALUE_SECONDS
from grader.load import Submission
from grader.probes import Probe
from grader.rubric import Rubric

IMPLEMENTATION_MODULE = "mlp"


@dataclass(frozen=True)
class Step:
    """One unit of work in the child, with its own time limit."""

    body: dict[str, Any]
    limit: float
    item: str = ""
    probe: int = -1
    cell: int = 0
    label: str = ""  # how feedback names the step: "cell 3", "jhu_hw3.py", "reading `Q2B_GRADS`"

    @property
    def is_load(self) -> bool:
        return not self.item

    def wire(self) -> dict[str, Any]:
        return {**self.body, "limit": self.limit}


def item_steps(rubric: Rubric, probes: dict[str, list[Probe]], gradable: set[str]) -> list[Step]:
    """Reading every value and calling every function on every probe, in rubric order."""
    steps: list[Step] = []
    for question, item, _ in rubric.items():
        key = f"{question.id}/{item.name}"
        if key not in gradable:
            continue
        if isinstance(item, FunctionItem):
            steps += _function_steps(key, item, probes[key])
        else:
            body = {"op": "value", "name": item.name, "source": item.source}
            steps.append(Step(body, VALUE_SECONDS, item=key, label=f"reading `{item.name}`"))
    return steps


def _function_steps(key: str, item: FunctionItem, probes: list[Probe]) -> list[Step]:
    lookup = {"op": "value", "name": item.lookup, "source": item.source}
    steps = [Step(lookup, VALUE_SECONDS, item=key, label=f"reading `{item.lookup}`")]
    for i, probe in enumerate(probes):
        body = {"op": "call", "item": key, "name": item.lookup, "source": item.source, "harness": item.harness,
                "scenario": item.scenario, "pure": item.pure, "probe": probe.to_json()}
        steps.append(Step(body, item.call_timeout, item=key, probe=i))
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
    if rubric.solutions.implementation:
        steps.append(Step({"op": "import", "module": IMPLEMENTATION_MODULE}, rubric.cell_timeout, cell=-1,
                          label=f"{IMPLEMENTATION_MODULE}.py"))
    return steps


def _filename(sub: Submission, cell_name: str) -> str:
    return cell_name if sub.is_notebook else sub.entry


@dataclass(frozen=True)
class SharedSteps:
    """Item steps that every submission of a run shares, sent to each worker once.

    They hold probe inputs only (never an expected output), so a warm worker may keep them.
    """

    id: str
    steps: list[Step]
    data: bytes

    @classmethod
    def of(cls, steps: list[Step]) -> SharedSteps:
        data = json.dumps([step.wire() for step in steps]).encode()
        return cls(hashlib.sha256(data).hexdigest()[:16], steps, data)


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
