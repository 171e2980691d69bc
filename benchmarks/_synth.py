"""Synthetic classes for the benchmark: correct, wrong and broken submissions.

Every submission starts from a reference solution (or, for some broken ones, the blank
template) and is changed by plain text edits, so generating 10,000 of them takes seconds.
"""

from __future__ import annotations

import ast
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
TEMPLATES = ROOT / "student_template"

# Marks a notebook cell boundary inside a submission's text; removed for .py files.
CELL_BREAK = "# <<cell>>\n"
MIX = {"correct": 0.60, "wrong": 0.25, "broken": 0.15}

Texts = dict[str, str]  # role ("main", "theory" or "mlp") -> source text
Edit = tuple[str, str, str]  # (role, old, new)


@dataclass(frozen=True)
class Spec:
    """What the generator needs to know about one assignment."""

    assignment: str
    short: str
    references: dict[str, Path]
    templates: dict[str, Path]
    value_edits: tuple[Edit, ...]
    functions: dict[str, tuple[str, ...]]
    raise_edits: tuple[Edit, ...] = ()


SPECS = {
    "jhu-hw3": Spec(
        assignment="jhu-hw3",
        short="hw3",
        references={"main": SOLUTIONS / "jhu_hw3.py"},
        templates={"main": TEMPLATES / "jhu-hw3" / "jhu_hw3.py"},
        value_edits=(
            ("main", "Q2A_ARGMAX = 0.0", "Q2A_ARGMAX = 0.5"),
            ("main", 'Q2B_TREND = "vanishing"', 'Q2B_TREND = "exploding"'),
            ("main", "_Q2_X = 0.63", "_Q2_X = 0.36"),
            ("main", "_scaled_step(W, X, Y, lr, 1.0)", "_scaled_step(W, X, Y, lr, 0.5)"),
            ("main", "Q2A_INF_ATTAINED = False", "Q2A_INF_ATTAINED = True"),
            ("main", "return e / (1.0 + e) ** 2", "return e / (1.0 + e)"),
            ("main", "np.asarray(dL_dP, dtype=float) @", "0.5 * np.asarray(dL_dP, dtype=float) @"),
        ),
        functions={
            "main": (
                "grad_W", "l2_step", "sigmoid_prime", "classification_grads", "regression_grads",
            ),
        },
    ),
    "mit-backprop": Spec(
        assignment="mit-backprop",
        short="backprop",
        references={"main": SOLUTIONS / "mit_backprop.py"},
        templates={"main": TEMPLATES / "mit-backprop" / "mit_backprop.py"},
        value_edits=(
            ("main", "DELTA_HIDDEN_CHOICE = 0", "DELTA_HIDDEN_CHOICE = 1"),
            ("main", "RELU_PRIME_NEG = 0.0", "RELU_PRIME_NEG = 1.0"),
            ("main", '"x": 3.0, "t": 1.0', '"x": 3.0, "t": 0.0'),
            ("main", "np.asarray(w, dtype=float) - eta", "np.asarray(w, dtype=float) + eta"),
            ("main", "return 0.5 * (y - t) ** 2", "return (y - t) ** 2"),
            ("main", "return e / (1.0 + e) ** 2", "return e / (1.0 + e)"),
        ),
        functions={
            "main": (
                "delta_last", "delta_hidden", "dC_dw", "dC_db", "simple_net_grads",
                "sgd_update", "sigmoid_prime",
            ),
        },
    ),
    "nyu-hw1": Spec(
        assignment="nyu-hw1",
        short="hw1",
        references={"theory": SOLUTIONS / "nyu_hw1.py", "mlp": SOLUTIONS / "nyu_hw1_mlp.py"},
        templates={
            "theory": TEMPLATES / "nyu-hw1" / "nyu_hw1.py",
            "mlp": TEMPLATES / "nyu-hw1" / "mlp.py",
        },
        value_edits=(
            ("theory", '"backward", "step"]', '"step", "backward"]'),
            ("theory", "return 2.0 * (y_hat - y)", "return (y_hat - y)"),
            ("theory", '"dl_dyhat": dl_dyhat[np.newaxis, :],', '"dl_dyhat": dl_dyhat,'),
            ("theory", "float(np.sum((y_hat - y) ** 2))", "float(np.mean((y_hat - y) ** 2))"),
            ("mlp", "2 * diff / diff.numel()", "2 * diff / diff.shape[0]"),
            ("mlp", '["dJdb2"] = dJdz3.sum(dim=0)', '["dJdb2"] = dJdz3.mean(dim=0)'),
            ("mlp", "return s * (1 - s)", "return s"),
        ),
        functions={
            "theory": ("forward_pass", "loss_value", "jacobians", "param_grads"),
            "mlp": ("mse_loss", "bce_loss"),
        },
        raise_edits=(
            (
                "mlp",
                "def backward(self, dJdy_hat: torch.Tensor) -> None:\n",
                "def backward(self, dJdy_hat: torch.Tensor) -> None:\n"
                '        raise RuntimeError("shapes do not match")\n',
            ),
        ),
    ),
}
FORMATS = {"jhu-hw3": ("py", "ipynb"), "mit-backprop": ("py", "ipynb"), "nyu-hw1": ("folder",)}

FIRST = (
    "alice", "bo", "carlos", "dana", "emeka", "fatima", "gwen", "hiro", "ines", "jamal", "kai",
    "lena", "mateo", "nora", "omar", "priya", "quinn", "rosa", "sven", "tariq", "uma", "vik",
    "wei", "ximena", "yusuf", "zoe", "jose", "anh", "siobhan", "dmitri",
)
LAST = (
    "chen", "garcia", "okafor", "smith", "nguyen", "kowalski", "haddad", "tanaka", "müller",
    "patel", "rossi", "johansson", "kim", "obi", "silva", "cohen", "martin", "ivanova", "lee",
    "brown", "diaz", "singh", "yamamoto", "fischer", "ali", "o'brien", "novak", "khan",
)
ID_PATTERNS = (
    "{f0}{last}{k2}",
    "Copy of {short} ({k})",
    "{last}_{first}_{short}",
    "{First} {Last} - {SHORT}",
    "{short}_{first}{l0}{k}",
    "{first}.{last}",
    "{SHORT}_final_v{v}",
)
IMPORT_FAILURES = (
    "from google.colab import drive\n",
    'data = open("data/train.csv").read()\n',
    "print(W_new)\n",
    "1 / 0\n",
    'raise SystemExit("done")\n',
)
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
SYNTAX_FAILURES = ("W_check = [[1, 2], [3, 4]\n", "<<<<<<< HEAD\n", 'print "done"\n')


def student_ids(spec: Spec, n: int, rng: random.Random) -> list[str]:
    """Return n unique, realistic student ids: net ids, names, "Copy of hw3 (12)" and so on."""
    ids: list[str] = []
    seen: set[str] = set()
    for k in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = rng.choice(ID_PATTERNS).format(
            first=first, last=last, First=first.title(), Last=last.title(), f0=first[0],
            l0=last[0], k=k + 1, k2=f"{k % 100:02d}", v=k + 2, short=spec.short,
            SHORT=spec.short.upper(),
        )
        if name in seen:
            name = f"{name}_{k}"
        seen.add(name)
        ids.append(name)
    return ids


def categories(n: int, rng: random.Random) -> list[str]:
    """Return n category labels in the 60/25/15 mix, shuffled."""
    wrong = round(n * MIX["wrong"])
    broken = round(n * MIX["broken"])
    labels = ["wrong"] * wrong + ["broken"] * broken
    labels += ["correct"] * (n - len(labels))
    rng.shuffle(labels)
    return labels


def with_cell_breaks(source: str) -> str:
    """Return the source with a CELL_BREAK before each def or class and each run of other code."""
    lines = source.splitlines(keepends=True)
    starts, previous_end, previous_def = [], 0, True
    for node in ast.parse(source).body:
        is_def = isinstance(node, ast.FunctionDef | ast.ClassDef)
        if is_def or previous_def:
            starts.append(previous_end)
        previous_end, previous_def = node.end_lineno or previous_end, is_def
    bounds = [*starts[1:], len(lines)]
    chunks = ["".join(lines[a:b]) for a, b in zip(starts, bounds, strict=True)]
    return CELL_BREAK.join(chunks)


def load_texts(paths: dict[str, Path]) -> Texts:
    """Read each role's file and mark its notebook cells."""
    return {role: with_cell_breaks(path.read_text()) for role, path in paths.items()}


def _insert_line(text: str, line: str, names: tuple[str, ...], rng: random.Random) -> str:
    """Insert a line at the start of a random chunk that defines one of the graded functions.

    In a notebook that chunk is a cell, so the line costs the items that the cell defines;
    a failing line in a cell of ungraded helpers would rightly cost nothing.
    """
    chunks = text.split(CELL_BREAK)
    graded = [k for k, c in enumerate(chunks) if any(f"def {n}(" in c for n in names)]
    k = rng.choice(graded or range(1, len(chunks)))
    chunks[k] = line + chunks[k]
    return CELL_BREAK.join(chunks)


def _override(name: str, body: str) -> str:
    """Return a redefinition of a top-level function, appended after the reference one."""
    return f"\n\ndef {name}(*args, **kwargs):\n    {body}\n"


def wrong_value(texts: Texts, spec: Spec, rng: random.Random) -> str:
    """Change one number, string or expression of the reference; return what was changed."""
    role, old, new = rng.choice(spec.value_edits)
    texts[role] = texts[role].replace(old, new, 1)
    return f"{role}: {old!r} -> {new!r}"


def wrong_constant(texts: Texts, spec: Spec, rng: random.Random) -> str:
    """Make one function return a constant."""
    role = rng.choice(sorted(spec.functions))
    name = rng.choice(spec.functions[role])
    texts[role] += _override(name, "return 0.0")
    return f"{role}: {name} returns 0.0"


def broken_syntax(texts: Texts, spec: Spec, rng: random.Random) -> str:
    """Introduce a syntax error: a def without its colon, or a bad line."""
    role = rng.choice(sorted(texts))
    defs = list(re.finditer(r"^def [^\n]*\):$", texts[role], flags=re.M))
    if defs and rng.random() < 0.4:
        end = rng.choice(defs).end()
        texts[role] = texts[role][: end - 1] + texts[role][end:]
        return f"{role}: syntax error, def without colon"
    line = rng.choice(SYNTAX_FAILURES)
    texts[role] = _insert_line(texts[role], line, spec.functions[role], rng)
    return f"{role}: syntax error {line.strip()!r}"


def broken_import(texts: Texts, spec: Spec, rng: random.Random) -> str:
    """Make the module raise while it is being imported."""
    role = rng.choice(sorted(texts))
    line = rng.choice(IMPORT_FAILURES)
    texts[role] = _insert_line(texts[role], line, spec.functions[role], rng)
    return f"{role}: raises at import: {line.strip()}"


def broken_raises(texts: Texts, spec: Spec, rng: random.Random) -> str:
    """Make one function (or, for nyu, MLP.backward) raise when it is called."""
    if spec.raise_edits and rng.random() < 0.3:
        role, old, new = rng.choice(spec.raise_edits)
        texts[role] = texts[role].replace(old, new, 1)
        return f"{role}: MLP.backward raises"
    role = rng.choice(sorted(spec.functions))
    name = rng.choice(spec.functions[role])
    texts[role] += _override(name, 'raise ValueError("shapes not aligned")')
    return f"{role}: {name} raises ValueError"


Mutation = Callable[[Texts, Spec, random.Random], str]
BROKEN: tuple[tuple[Mutation, float], ...] = (
    (broken_syntax, 0.3), (broken_import, 0.3), (broken_raises, 0.25),
)


def mutate(
    category: str, spec: Spec, reference: Texts, blank: Texts, rng: random.Random
) -> tuple[Texts, str]:
    """Return the texts of one submission of the category and a note of what was changed."""
    texts = dict(reference)
    if category == "correct":
        return texts, "reference"
    if category == "wrong":
        edits = [rng.choice((wrong_value, wrong_constant)) for _ in range(rng.randint(1, 3))]
        return texts, "; ".join(edit(texts, spec, rng) for edit in edits)
    if rng.random() < 0.15:
        return dict(blank), "blank template"
    kinds, weights = zip(*BROKEN, strict=True)
    return texts, rng.choices(kinds, weights)[0](texts, spec, rng)


def to_module(text: str, student: str) -> str:
    """Return the .py form: the cell marks dropped and a header line that makes it unique."""
    return f"# {student}: backprop homework\n" + text.replace(CELL_BREAK, "")


def _cell(cell_type: str, source: str, number: int) -> dict:
    """Return one nbformat 4.5 cell, its source stored as a list of lines as Jupyter does."""
    cell = {
        "cell_type": cell_type, "id": f"cell-{number}", "metadata": {},
        "source": source.splitlines(keepends=True),
    }
    if cell_type == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def to_notebook(text: str, student: str, rng: random.Random) -> str:
    """Return a notebook: a markdown title, one code cell per chunk, `%matplotlib inline`.

    Cells are plain dicts: nbformat's cell constructors validate each cell, which would make
    generating a class of notebooks slower than grading it.
    """
    chunks = [c.rstrip("\n") for c in text.split(CELL_BREAK) if c.strip()]
    chunks[0] = "%matplotlib inline\n" + chunks[0]
    if len(chunks) > 2 and rng.random() < 0.3:
        k = rng.randrange(1, len(chunks))
        chunks[k] = "%%time\n" + chunks[k]
    title = f"# Homework\n\nSubmitted by **{student}**."
    cells = [_cell("markdown", title, 0)]
    cells += [_cell("code", chunk, k) for k, chunk in enumerate(chunks, start=1)]
    notebook = {
        "cells": cells, "metadata": {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def write_submission(dest: Path, student: str, fmt: str, texts: Texts, rng: random.Random) -> None:
    """Write one submission under dest: a .py file, a notebook, or a folder with mlp.py."""
    if fmt == "py":
        (dest / f"{student}.py").write_text(to_module(texts["main"], student))
    elif fmt == "ipynb":
        (dest / f"{student}.ipynb").write_text(to_notebook(texts["main"], student, rng))
    else:
        folder = dest / student
        folder.mkdir()
        theory = rng.choice(("hw1.py", "nyu_hw1.py", "homework1.py"))
        (folder / theory).write_text(to_module(texts["theory"], student))
        (folder / "mlp.py").write_text(to_module(texts["mlp"], student))


def write_class(assignment: str, fmt: str, n: int, dest: Path, seed: int = 0) -> dict[str, dict]:
    """Write n submissions into dest and return the manifest: id -> category and change."""
    spec = SPECS[assignment]
    rng = random.Random(f"{seed}/{assignment}/{fmt}/{n}")
    reference, blank = load_texts(spec.references), load_texts(spec.templates)
    dest.mkdir(parents=True)
    manifest = {}
    for student, category in zip(student_ids(spec, n, rng), categories(n, rng), strict=True):
        texts, change = mutate(category, spec, reference, blank, rng)
        write_submission(dest, student, fmt, texts, rng)
        manifest[student] = {"category": category, "change": change}
    return manifest
