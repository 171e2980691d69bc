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


def test_the_spies_go_in_once_keep_torchs_names_and_hand_back_no_original() -> None:
    watch_autograd()
    installed = (torch.Tensor.backward, torch.autograd.backward, torch.autograd.grad)
    watch_autograd()
    assert (torch.Tensor.backward, torch.autograd.backward, torch.autograd.grad) == installed  # one layer
    for spied, name in zip(installed, ("backward", "backward", "grad"), strict=True):
        assert spied.__name__ == name and spied.__doc__ and "gradient" in spied.__doc__
        assert not hasattr(spied, "__wrapped__")  # the original is not one attribute away


def test_the_engine_that_every_backward_pass_goes_through_is_watched() -> None:
    """Calling autograd's engine directly, past every Python entry point, is seen too."""
    from torch.autograd.variable import Variable

    watch_autograd()

    def direct(x: Any) -> Any:
        t = x.clone().requires_grad_(True)
        out = (t * t).sum()
        return Variable._execution_engine.run_backward((out,), (torch.ones(()),), False, False, (t,), True)[0]

    assert _call(direct, x=torch.ones(2))["autograd"] is True


def test_a_result_still_in_autograds_graph_counts_as_autograd() -> None:
    watch_autograd()
    assert _call(lambda x: x.clone().requires_grad_(True) * 2, x=torch.ones(2))["autograd"] is True
    assert _call(lambda x: x * 2, x=torch.ones(2))["autograd"] is False
