"""Finding autograd in the MLP methods and loss functions from the source, without running it."""

from __future__ import annotations

import pytest

from grader import grade
from grader.grade import _autograd_in, _autograd_in_tree
from tests.conftest import SOLUTIONS, TEMPLATES

CLEAN_MLP = '''
import torch

class MLP:
    def forward(self, x):
        return x @ self.parameters["W1"].T

    def backward(self, dJdy_hat):
        self.grads["dJdW1"] = dJdy_hat.T @ self.cache["x"]

def mse_loss(y, y_hat):
    return ((y_hat - y) ** 2).mean(), 2 * (y_hat - y) / y.numel()
'''

CASES = [
    pytest.param(CLEAN_MLP, [], id="a clean MLP, with a method named backward"),
    pytest.param("class MLP:\n    def backward(self, g):\n        self.loss.backward()\n", ["MLP.backward"],
                 id="tensor.backward()"),
    pytest.param("class MLP:\n    def forward(self, x):\n        x.requires_grad_(True)\n        return x\n",
                 ["MLP.forward"], id="requires_grad_"),
    pytest.param("import torch\ndef bce_loss(y, p):\n    return torch.autograd.grad(p.sum(), p)\n",
                 ["bce_loss"], id="torch.autograd in a loss"),
    pytest.param("from torch import autograd\ndef mse_loss(y, p):\n    return autograd.grad(p, y)\n",
                 ["mse_loss"], id="the name autograd"),
    pytest.param("class MLP:\n    def backward(self, g):\n        (self.loss.  # sneaky\n            backward())\n",
                 ["MLP.backward"], id="a comment between the dot and the name"),
    pytest.param("class MLP:\n    def backward(self, g):\n        self.loss.\\\nbackward()\n",
                 ["MLP.backward"], id="a line continuation"),
    pytest.param("class MLP:\n    def backward(self, g):\n        self.loss.\uff42ackward()\n",
                 ["MLP.backward"], id="a fullwidth letter the parser normalizes"),
    pytest.param("def helper(t):\n    t.backward()\nclass MLP:\n    pass\n", [],
                 id="autograd outside MLP and the losses is allowed"),
    pytest.param("class MLP:\n    def backward(self, g):\n        self.backwards = 1\n        self.requires_gradx = 2\n",
                 [], id="names that only start like a marker"),
    pytest.param("class MLP:\n    def backward(self, g)\n        x.backward()\n", [], id="a syntax error"),
    pytest.param("class MLP:\n    def backward(self, g):\n        # no autograd: never call .backward()\n"
                 "        return g\n", [], id="a comment that names the markers"),
    pytest.param("class MLP:\n    def backward(self, g):\n        (self.loss.\n         # why not\n"
                 "         backward())\n", ["MLP.backward"], id="a comment line between the dot and the name"),
    pytest.param('class MLP:\n    def backward(self, g):\n        s = "a\\\n# b"; self.loss.backward()\n',
                 ["MLP.backward"], id="code after a string continued onto a '#' line"),
    pytest.param('class MLP:\n    def backward(self, g):\n        s = """\n# b"""; self.loss.backward()\n',
                 ["MLP.backward"], id="code after a triple-quoted string closed on a '#' line"),
    pytest.param("# header\rclass MLP:\r    def backward(self, g):\r        self.loss.backward()\r",
                 ["MLP.backward"], id="carriage-return line ends after a comment"),
    pytest.param("class \\\nMLP:\n    def backward(self, g):\n        self.loss.backward()\n", ["MLP.backward"],
                 id="a line continuation between class and MLP"),
    pytest.param("class \uff2d\uff2c\uff30:\n    def backward(self, g):\n        self.loss.backward()\n",
                 ["MLP.backward"], id="a fullwidth class name"),
    pytest.param('ANSWER = "4. loss.backward(): the chain rule"\n\ndef forward_pass(x):\n    return x\n', [],
                 id="a theory module that names backward in an answer"),
    pytest.param("class MLPx:\n    def backward(self, g):\n        self.loss.backward()\n", [],
                 id="a class that is not MLP"),
    pytest.param("# Linear1 \u2192 f\nclass MLP:\n    def backward(self, g):\n        self.loss.\uff42ackward()\n",
                 ["MLP.backward"], id="a fullwidth letter after a non-ASCII comment"),
]


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_autograd_found_by_the_fast_path_and_by_parsing_alike(source: str, expected: list[str]) -> None:
    assert _autograd_in_tree(source) == expected
    assert _autograd_in(source) == expected


@pytest.fixture
def no_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails the test if the source check falls back to parsing."""
    def parse(source: str) -> list[str]:
        raise AssertionError("parsed")

    monkeypatch.setattr(grade, "_autograd_in_tree", parse)


def test_the_templates_comments_cost_no_parse(no_parse: None) -> None:
    """mlp.py as handed out says "no autograd" and ".backward()" in comments only."""
    template = (TEMPLATES / "nyu-hw1" / "mlp.py").read_text()
    assert "autograd" in template and ".backward()" in template
    assert _autograd_in(template) == []


def test_a_theory_module_costs_no_parse(no_parse: None) -> None:
    """nyu-hw1's answer to 1.2a says "loss.backward()", but no theory module defines MLP."""
    theory = (SOLUTIONS / "nyu_hw1.py").read_text()
    assert "loss.backward()" in theory
    assert _autograd_in(theory) == []
