"""Fixtures for checking the reference solvers in `solutions/` against independent computations."""

import importlib.util
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

REPO_ROOT = Path(__file__).parents[2]
SOLUTIONS_DIR = REPO_ROOT / "solutions"

NumericGrad = Callable[..., np.ndarray]


@cache
def load_solution(name: str) -> ModuleType:
    """Load `solutions/<name>.py` by file path, as the grader does; `solutions/` is no package."""
    path = SOLUTIONS_DIR / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"reference_solution_{name}", path)
    assert spec is not None and spec.loader is not None, f"cannot load {path}"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _numeric_grad(f: Callable[[np.ndarray], object], x: object, eps: float = 1e-6) -> np.ndarray:
    """Return the central-difference derivative of f at x in float64, shaped f(x).shape + x.shape."""
    x = np.array(x, dtype=float)
    out_shape = np.shape(f(x.copy()))
    grad = np.empty(out_shape + x.shape)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = eps
        forward, backward = np.asarray(f(x + step)), np.asarray(f(x - step))
        grad[(..., *index)] = (forward - backward) / (2.0 * eps)
    return grad


@pytest.fixture(scope="session")
def numeric_grad() -> NumericGrad:
    """Return the central finite-difference helper `numeric_grad(f, x, eps=1e-6)`."""
    return _numeric_grad


@pytest.fixture(scope="session")
def jhu() -> ModuleType:
    """Return the jhu-hw3 reference module."""
    return load_solution("jhu_hw3")


@pytest.fixture(scope="session")
def mit() -> ModuleType:
    """Return the mit-backprop reference module."""
    return load_solution("mit_backprop")


@pytest.fixture(scope="session")
def nyu() -> ModuleType:
    """Return the nyu-hw1 theory reference module."""
    return load_solution("nyu_hw1")


@pytest.fixture(scope="session")
def nyu_mlp() -> ModuleType:
    """Return the nyu-hw1 `mlp.py` reference module, skipping when torch is not installed."""
    pytest.importorskip("torch")
    return load_solution("nyu_hw1_mlp")
