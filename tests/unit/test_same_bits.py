"""The reference, computed in the parent, and the same code run as a worker runs it agree bit for bit.

That is what lets a correct submission's every probe pass on a byte comparison instead of
decoding and comparing arrays.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from grader.assignments import install_profile, load_rubric
from grader.protocol import value_text
from grader.reference import compute
from tests.conftest import ROOT, SOLUTIONS

pytest.importorskip("torch")
pytestmark = pytest.mark.torch

KEYS = ["impl-forward/MLP.forward", "impl-backward/MLP.backward", "impl-losses/mse_loss",
        "impl-losses/bce_loss"]

# Configures torch as a warm worker does, then runs the reference's own MLP and losses on the
# probes given on stdin, and prints the encoded results.
AS_A_WORKER = """
import json, sys
from grader.sandbox import worker
worker._preload(torch=True)
from grader.assignments import install_profile
install_profile("nyu-hw1")  # a worker installs it from the steps it is sent
from grader.harness.calls import call
from grader.reference import load_module
from pathlib import Path
module = load_module(Path(sys.argv[1]), "nyu_hw1_mlp")
out = {}
for key, (name, harness, scenario, probes) in json.load(sys.stdin).items():
    out[key] = [call(getattr(module, name), probe, harness, scenario)["value"] for probe in probes]
print(json.dumps(out))
"""


def test_a_worker_reproduces_the_references_bits() -> None:
    rubric = load_rubric("nyu-hw1")
    install_profile("nyu-hw1")  # its harness runs the reference MLP, as in `grader check`
    expected = compute(rubric, SOLUTIONS, seed=7, torch=True)
    items = {f"{q.id}/{item.name}": item for q, item, _ in rubric.items()}
    request = {key: (items[key].lookup, items[key].harness, items[key].scenario,
                     [p.to_json() for p in expected[key].probes]) for key in KEYS}
    done = subprocess.run([sys.executable, "-c", AS_A_WORKER, str(SOLUTIONS)], input=json.dumps(request),
                          capture_output=True, text=True, timeout=300, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    worker = json.loads(done.stdout)
    for key in KEYS:
        mismatched = [i for i, (a, b) in enumerate(zip(worker[key], expected[key].calls_raw, strict=True))
                      if value_text(a) != b]
        assert mismatched == [], f"{key}: probes {mismatched} differ in their bits"
