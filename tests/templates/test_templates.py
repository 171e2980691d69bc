"""The student templates hold every item of shared/HOMEWORK.md as a blank stub.

Each template is checked twice, as its .py module and as its built notebook: every name is
defined, every value is None, every function raises NotImplementedError, so a blank template
scores zero.
"""

# The expected question texts quote the homework's notation: the minus sign and the script l.
# ruff: noqa: RUF001

from __future__ import annotations

import importlib.util
import inspect
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat
import pytest

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "student_template"
BUILDER = TEMPLATE_DIR / "build_notebooks.py"
SELF_TEST_CODE = "import grader; grader.check()"
HAS_TORCH = importlib.util.find_spec("torch") is not None
requires_torch = pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed")

TEMPLATES = {
    "jhu-hw3": "jhu-hw3/jhu_hw3.py",
    "mit-backprop": "mit-backprop/mit_backprop.py",
    "mit-unit3": "mit-unit3/mit_unit3.py",
    "nyu-hw1": "nyu-hw1/nyu_hw1.py",
}
ASSIGNMENTS = list(TEMPLATES)
MLP_MODULE = "nyu-hw1/mlp.py"

# The items of shared/HOMEWORK.md, copied by hand. A function maps to its signature.
FUNCTIONS = {
    "jhu-hw3": {
        "grad_W": "(dL_dP, X)",
        "l2_step": "(W, X, Y, lr)",
        "sigmoid_prime": "(z)",
        "classification_grads": "(w1, w2, w3, x, y)",
        "regression_grads": "(w1, w2, w3, x, y)",
    },
    "mit-backprop": {
        "delta_last": "(dC_da, z, f_prime)",
        "delta_hidden": "(W_next, delta_next, z, f_prime)",
        "dC_dw": "(a_prev, delta)",
        "dC_db": "(delta)",
        "sigmoid_prime": "(z)",
        "simple_net_grads": "(x, t, w1, w2, b)",
        "sgd_update": "(w, eta, grad)",
    },
    "mit-unit3": {
        "feed_forward": "(x)",
        "lstm_states": "(xs)",
        "delta_last": "(dC_da, z, f_prime)",
        "delta_hidden": "(W_next, delta_next, z, f_prime)",
        "dC_dw": "(a_prev, delta)",
        "dC_db": "(delta)",
        "sigmoid_prime": "(z)",
        "simple_net_grads": "(x, t, w1, w2, b)",
        "sgd_update": "(w, eta, grad)",
    },
    "nyu-hw1": {
        "forward_pass": "(x, params, f, g)",
        "loss_value": "(y_hat, y, loss)",
        "param_grads": "(x, y, params, f, g, loss)",
        "jacobians": "(x, y, params, f, g, loss)",
    },
}

# A value maps to how its comment must start: the kind, and the shape of an array.
VALUES = {
    "jhu-hw3": {
        "Q1A_DERIVATION": "text",
        "Q1B_W_NEW": "array, shape (2, 2)",
        "Q2A_MAX": "number",
        "Q2A_ARGMAX": "number",
        "Q2A_INF": "number",
        "Q2A_INF_ATTAINED": "flag",
        "Q2B_GRADS": "array, shape (3,)",
        "Q2B_TREND": "choice",
        "Q2D_GRADS": "array, shape (3,)",
        "Q2D_TREND": "choice",
        "Q2_NOTES": "text",
    },
    "mit-backprop": {
        "DELTA_HIDDEN_CHOICE": "choice: an int index",
        "SIGMOID_PRIME_LARGE_Z": "choice",
        "RELU_PRIME_POS": "number",
        "RELU_PRIME_NEG": "number",
        "SIMPLE_NET_LOSS": "number",
        "SIMPLE_NET_GRADS": "array, shape (3,)",
    },
    "mit-unit3": {
        "FEED_FORWARD_O": "array, shape (2,)",
        "BOUNDARY_AREA": "number",
        "OUTPUT_O1": "array, shape (3,)",
        "MAX_GAP_BETA1": "number",
        "MAX_GAP_BETA3": "number",
        "BETA_EFFECT": "choice",
        "LSTM_STATES_1": "array, shape (6,)",
        "LSTM_STATES_2": "array, shape (5,)",
        "LSTM_INFO": "choice: an int index",
        "DELTA_HIDDEN_CHOICE": "choice: an int index",
        "SIGMOID_PRIME_LARGE_Z": "choice",
        "RELU_PRIME_POS": "number",
        "RELU_PRIME_NEG": "number",
        "SIMPLE_NET_LOSS": "number",
        "SIMPLE_NET_GRADS": "array, shape (3,)",
        "EMBEDDINGS_TRUE": "choices",
    },
    "nyu-hw1": {
        "TRAINING_STEPS": "order",
        "TRAINING_STEPS_NOTES": "text",
        "RELU_BENEFIT": "text",
    },
}

TRENDS = ('"vanishing"', '"exploding"', '"neither"')
# What the comment of a choice or order item must list.
OPTIONS = {
    "Q2B_TREND": TRENDS,
    "Q2D_TREND": TRENDS,
    "SIGMOID_PRIME_LARGE_Z": ('"becomes large"', '"becomes small"', '"high variance"'),
    "DELTA_HIDDEN_CHOICE": (
        "0: Σ_k w^{l+1}_kj δ^{l+1}_k f'(z^l_j)",
        "1: Σ_k w^{l−1}_jk δ^{l−1}_j f'(z^l_j)",
        "2: Σ_k w^{l+1}_kj δ^{l+1}_k f(z^l_j)",
    ),
    "TRAINING_STEPS": ('"forward"', '"loss"', '"zero_grad"', '"backward"', '"step"'),
    "BETA_EFFECT": ('"larger"', '"smaller"'),
    "LSTM_INFO": (
        "0: whether the current run of consecutive ones has odd length",
        "1: how many ones have been seen so far",
        "2: the last input",
        "3: whether any one has been seen so far",
    ),
    "EMBEDDINGS_TRUE": (
        "0: The first network cannot classify the sequence correctly.",
        "1: The second network cannot classify the sequence correctly.",
        "2: The second network has a fighting chance at classifying the sequence.",
        "3: The first network has a fighting chance at classifying the sequence.",
    ),
}

# The homework's own numbers, which the question texts must carry.
QUESTION_TEXTS = {
    "jhu-hw3": (
        "∂L/∂W = ∂L/∂P · Xᵀ",
        "W = [[0.3, 0.5], [−0.2, 0.4]]",
        "X = (x1, x2) = [[0, 2], [3, 1]]",
        "Y = (y1, y2) = [[0.5, 1], [1, −1.5]]",
        "step size 0.1",
        "w1 = 0.25, w2 = −0.11, w3 = 0.78",
        "(x = 0.63, y = 1)",
        "(x = 0.63, y = 128)",
        "**(a)**",
        "**(d)**",
    ),
    "mit-backprop": (
        "x = 3, t = 1, w1 = 0.01, w2 = −5 and b = −1",
        "C = ½(y − t)²",
    ),
    "mit-unit3": (
        "(1, 0, −1)", "(0, 1, −1)", "(−1, 0, −1)", "(0, −1, −1)", "(1, 1, 1, 1, 0)", "(−1, −1, −1, −1, 2)",
        "x = (3, 14)",
        "1/1000",
        "W^{c,h} = −100, W^{c,x} = 50, b_c = 0",
        "0, 0, 1, 1, 1, 0",
        "1, 1, 0, 1, 1",
        "x = 3, t = 1, w1 = 0.01, w2 = −5 and b = −1",
        "Choose all that apply",
    ),
    "nyu-hw1": (
        "ℓ = ‖ŷ − y‖²",
        "ℓ = (1/K) Σ_i −[y_i log ŷ_i + (1 − y_i) log(1 − ŷ_i)]",
        "### 1.2 Regression",
        "### 1.3 Classification",
        "**(d)**",
    ),
}

IMPLEMENTATION_FUNCTIONS = {"mse_loss": "(y, y_hat)", "bce_loss": "(y, y_hat)"}
MLP_SIGNATURE = (
    "(linear_1_in_features, linear_1_out_features, f_function, "
    "linear_2_in_features, linear_2_out_features, g_function)"
)
MLP_METHODS = {"forward": "(x)", "backward": "(dJdy_hat)", "clear_grad_and_cache": "()"}


@pytest.fixture(scope="module")
def builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_notebooks", BUILDER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Keep the template folder free of a __pycache__ that students would receive.
    dont_write_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = dont_write_bytecode
    return module


def run_builder(builder_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(builder_path), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def execute(source: str, filename: str) -> dict[str, Any]:
    """Run `source` in a fresh namespace and return that namespace."""
    namespace: dict[str, Any] = {"__name__": "template"}
    exec(compile(source, filename, "exec"), namespace)
    return namespace


def read_notebook(assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(TEMPLATE_DIR / TEMPLATES[assignment].replace(".py", ".ipynb"), 4)


def notebook_code(assignment: str, skipped: list[str]) -> str:
    """The notebook's code cells joined, without the self-test cell nor the `skipped` cells."""
    notebook = read_notebook(assignment)
    sources = [
        cell.source
        for cell in notebook.cells
        if cell.cell_type == "code" and cell.source not in [SELF_TEST_CODE, *skipped]
    ]
    return "\n\n".join(sources)


def mlp_code_cells(builder: ModuleType) -> list[str]:
    path = TEMPLATE_DIR / MLP_MODULE
    cells = builder.parse_cells(path.read_text(encoding="utf-8"), path.name)
    return [cell.source for cell in cells if cell.cell_type == "code"]


def dummy_args(function: Callable[..., Any]) -> list[None]:
    return [None] * len(inspect.signature(function).parameters)


def assert_blank_functions(namespace: dict[str, Any], expected: dict[str, str]) -> None:
    for name, signature in expected.items():
        function = namespace[name]
        assert str(inspect.signature(function)) == signature, name
        with pytest.raises(NotImplementedError):
            function(*dummy_args(function))


def assert_blank(namespace: dict[str, Any], assignment: str) -> None:
    """Every item is defined, every value is None and every function raises."""
    expected = {*FUNCTIONS[assignment], *VALUES[assignment]}
    assert sorted(expected - namespace.keys()) == []
    assert_blank_functions(namespace, FUNCTIONS[assignment])
    assert {name: namespace[name] for name in VALUES[assignment]} == dict.fromkeys(
        VALUES[assignment]
    )
    assert namespace["ASSIGNMENT"] == assignment


def assert_blank_mlp(namespace: dict[str, Any]) -> None:
    """The course's MLP skeleton: the constructor works, everything else raises."""
    assert_blank_functions(namespace, IMPLEMENTATION_FUNCTIONS)
    mlp_class = namespace["MLP"]
    assert str(inspect.signature(mlp_class)) == MLP_SIGNATURE
    mlp = mlp_class(2, 20, "relu", 20, 5, "identity")
    assert (mlp.f_function, mlp.g_function) == ("relu", "identity")
    assert {name: tuple(value.shape) for name, value in mlp.parameters.items()} == {
        "W1": (20, 2),
        "b1": (20,),
        "W2": (5, 20),
        "b2": (5,),
    }
    assert {name: tuple(value.shape) for name, value in mlp.grads.items()} == {
        "dJdW1": (20, 2),
        "dJdb1": (20,),
        "dJdW2": (5, 20),
        "dJdb2": (5,),
    }
    assert all(not value.any() for value in mlp.grads.values())
    assert mlp.cache == {}
    assert_blank_functions({name: getattr(mlp, name) for name in MLP_METHODS}, MLP_METHODS)


def item_comment(source: str, name: str) -> str:
    """The comment on the line that sets `name`, with the comment lines right above it."""
    lines = source.splitlines()
    (index,) = [i for i, line in enumerate(lines) if line.startswith(f"{name} = None")]
    comment = [lines[index].split("#", 1)[1].strip()]
    above = index - 1
    while above >= 0 and lines[above].startswith("# ") and not lines[above].startswith("# %%"):
        comment.insert(0, lines[above][2:])
        above -= 1
    return "\n".join(comment)


def test_committed_notebooks_are_current() -> None:
    result = run_builder(BUILDER, "--check")
    assert result.returncode == 0, result.stderr


def test_check_fails_on_a_stale_notebook(tmp_path: Path) -> None:
    copy = tmp_path / "student_template"
    shutil.copytree(TEMPLATE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    template = copy / TEMPLATES["jhu-hw3"]
    template.write_text(template.read_text(encoding="utf-8") + "\n# %%\nEXTRA = None\n")

    stale = run_builder(copy / BUILDER.name, "--check")
    assert stale.returncode == 1
    assert "jhu_hw3.ipynb" in stale.stderr

    assert run_builder(copy / BUILDER.name).returncode == 0
    assert run_builder(copy / BUILDER.name, "--check").returncode == 0


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_module_is_blank(assignment: str) -> None:
    path = TEMPLATE_DIR / TEMPLATES[assignment]
    assert_blank(execute(path.read_text(encoding="utf-8"), str(path)), assignment)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_module_first_code_cell_sets_assignment(assignment: str, builder: ModuleType) -> None:
    path = TEMPLATE_DIR / TEMPLATES[assignment]
    cells = builder.parse_cells(path.read_text(encoding="utf-8"), path.name)
    first_code = next(cell for cell in cells if cell.cell_type == "code")
    assert f'ASSIGNMENT = "{assignment}"' in first_code.source.splitlines()
    assert "import numpy as np" in first_code.source.splitlines()


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_module_value_comments_give_kind_and_options(assignment: str) -> None:
    source = (TEMPLATE_DIR / TEMPLATES[assignment]).read_text(encoding="utf-8")
    for name, kind in VALUES[assignment].items():
        comment = item_comment(source, name)
        assert comment.splitlines()[-1].startswith(kind), (name, comment)
        for option in OPTIONS.get(name, ()):
            assert option in comment, (name, option)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_module_ends_with_self_test_hint(assignment: str, builder: ModuleType) -> None:
    path = TEMPLATE_DIR / TEMPLATES[assignment]
    last = builder.parse_cells(path.read_text(encoding="utf-8"), path.name)[-1]
    assert last.cell_type == "code"
    assert last.source.startswith("# Self-test: run  grader selftest ")


def test_nyu_module_leaves_mlp_to_mlp_py() -> None:
    path = TEMPLATE_DIR / TEMPLATES["nyu-hw1"]
    namespace = execute(path.read_text(encoding="utf-8"), str(path))
    assert not {"MLP", *IMPLEMENTATION_FUNCTIONS} & namespace.keys()


@pytest.mark.torch
@requires_torch
def test_mlp_module_is_blank() -> None:
    path = TEMPLATE_DIR / MLP_MODULE
    assert_blank_mlp(execute(path.read_text(encoding="utf-8"), str(path)))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_notebook_is_valid(assignment: str) -> None:
    notebook = read_notebook(assignment)
    nbformat.validate(notebook)
    assert notebook.nbformat == 4
    assert notebook.metadata.kernelspec.name == "python3"
    note, self_test = notebook.cells[-2:]
    assert (self_test.cell_type, self_test.source) == ("code", SELF_TEST_CODE)
    assert note.cell_type == "markdown"
    assert "live namespace" in note.source and "not a grade" in note.source


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_notebook_is_blank(assignment: str, builder: ModuleType) -> None:
    skipped = [] if HAS_TORCH else mlp_code_cells(builder)
    code = notebook_code(assignment, skipped)
    assert_blank(execute(code, f"{assignment}.ipynb"), assignment)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_notebook_question_texts_carry_the_homework(assignment: str) -> None:
    markdown = "\n".join(
        cell.source for cell in read_notebook(assignment).cells if cell.cell_type == "markdown"
    )
    for text in QUESTION_TEXTS[assignment]:
        assert text in markdown


def test_nyu_notebook_holds_the_mlp_cells(builder: ModuleType) -> None:
    sources = [cell.source for cell in read_notebook("nyu-hw1").cells]
    cells = mlp_code_cells(builder)
    assert cells and all(cell in sources for cell in cells)
    assert any("class MLP:" in cell for cell in cells)


@pytest.mark.torch
@requires_torch
def test_nyu_notebook_defines_a_blank_mlp() -> None:
    assert_blank_mlp(execute(notebook_code("nyu-hw1", []), "nyu-hw1.ipynb"))
