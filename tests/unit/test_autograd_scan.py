"""Finding autograd in the code reachable from MLP and the loss functions, from the source alone."""

from __future__ import annotations

import pytest

from grader.autograd_scan import autograd_uses
from tests.conftest import SOLUTIONS, TEMPLATES

ROOTS = ("MLP", "mse_loss", "bce_loss")

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
                 id="autograd in code MLP and the losses never reach is allowed"),
    pytest.param("def _h(t):\n    return t.backward()\nclass MLP:\n    def backward(self, g):\n        return _h(g)\n",
                 ["_h"], id="a helper that MLP calls"),
    pytest.param("def _a(t):\n    return _b(t)\ndef _b(t):\n    return t.backward()\ndef mse_loss(y, p):\n"
                 "    return _a(p)\n", ["_b"], id="a helper of a helper"),
    pytest.param("from torch.autograd import grad as g\ndef _h(t):\n    return g(t, t)\nclass MLP:\n"
                 "    def forward(self, x):\n        return _h(x)\n", ["_h"], id="an aliased import"),
    pytest.param("import torch as T\ndef bce_loss(y, p):\n    return T.autograd.grad(p, y)\n", ["bce_loss"],
                 id="an aliased module"),
    pytest.param("import torch\ndef bce_loss(y, p):\n    return torch.func.grad(lambda t: t.sum())(p)\n",
                 ["bce_loss"], id="torch.func"),
    pytest.param("def mse_loss(y, p):\n    return getattr(p.sum(), 'backward')()\n", ["mse_loss"],
                 id="getattr with a literal name"),
    pytest.param("def mse_loss(y, p):\n    return eval('p.sum().backward()')\n", ["mse_loss"],
                 id="eval, which no reading can check"),
    pytest.param("class Helper:\n    def go(self, t):\n        t.backward()\nclass MLP:\n    def backward(self, g):\n"
                 "        Helper().go(g)\n", ["Helper.go"], id="a method of another class"),
    pytest.param("def h(self, g):\n    g.backward()\nclass MLP:\n    pass\nMLP.backward = h\n", ["h"],
                 id="a method bound at the top level"),
    pytest.param("import torch\nclass MLP:\n    def __init__(self):\n        self.W = torch.zeros(2, requires_grad=True)\n",
                 ["MLP.__init__"], id="requires_grad as a keyword"),
    pytest.param("class MLP:\n    def step(self, g):\n        self.forward(g)\n        return self.backward(g)\n"
                 "    def backward(self, g):\n        return g\n", [], id="MLP calling its own backward method"),
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
def test_autograd_reachable_from_the_roots_is_found(source: str, expected: list[str]) -> None:
    assert autograd_uses([source], ROOTS) == expected


def test_a_helper_in_another_file_of_the_submission_is_followed() -> None:
    mlp = "from helpers import step\nclass MLP:\n    def backward(self, g):\n        return step(g)\n"
    helpers = "def step(g):\n    return g.backward()\n"
    assert autograd_uses([mlp, helpers], ROOTS) == ["step"]


def test_the_template_and_the_reference_are_clean() -> None:
    """mlp.py as handed out says "no autograd" and ".backward()" in comments only."""
    template = (TEMPLATES / "nyu-hw1" / "mlp.py").read_text()
    assert "autograd" in template and ".backward()" in template
    assert autograd_uses([template], ROOTS) == []
    assert autograd_uses([(SOLUTIONS / "nyu_hw1_mlp.py").read_text()], ROOTS) == []


def test_a_theory_module_that_quotes_backward_is_clean() -> None:
    """nyu-hw1's answer to 1.2a says "loss.backward()", but no theory module defines MLP."""
    theory = (SOLUTIONS / "nyu_hw1.py").read_text()
    assert "loss.backward()" in theory
    assert autograd_uses([theory], ROOTS) == []
