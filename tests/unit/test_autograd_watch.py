"""Whether torch autograd ran during a call: spies installed once, a flag read per call."""

from __future__ import annotations

from typing import Any

import pytest

from grader.harness.calls import call, watch_autograd

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


def _call(target: Any, **kwargs: Any) -> dict[str, Any]:
    return call(target, {"kwargs": []}, "call", None, prebuilt=kwargs)


def _uses_backward(x: Any) -> Any:
    t = x.clone().requires_grad_(True)
    (t * t).sum().backward()
    return t.grad


def _clean(x: Any) -> Any:
    return 2 * x


def _fails_after_autograd(x: Any) -> Any:
    t = x.clone().requires_grad_(True)
    torch.autograd.grad((t * 3).sum(), t)
    raise ValueError("after autograd")


def test_each_call_reports_its_own_use() -> None:
    x = torch.ones(3)
    assert _call(_uses_backward, x=x)["autograd"] is True
    assert _call(_clean, x=x)["autograd"] is False  # the flag does not carry over
    raised = _call(_fails_after_autograd, x=x)
    assert raised["status"] == "raised" and raised["autograd"] is True


def test_a_grad_bound_before_the_call_is_seen() -> None:
    """A student module imported after the spies binds them, as in a warm worker's children."""
    watch_autograd()
    namespace: dict[str, Any] = {}
    exec("import torch\nfrom torch.autograd import grad\n"
         "def f(x):\n    t = x.clone().requires_grad_(True)\n    return grad((t * t).sum(), t)[0]\n", namespace)
    assert _call(namespace["f"], x=torch.ones(2))["autograd"] is True


def test_the_spies_go_in_once_and_keep_torchs_names() -> None:
    watch_autograd()
    watch_autograd()
    for spied in (torch.Tensor.backward, torch.autograd.backward, torch.autograd.grad):
        original = spied.__wrapped__
        assert not hasattr(original, "__wrapped__")  # one layer, however often it is asked for
        assert spied.__name__ == original.__name__ and spied.__doc__ == original.__doc__
