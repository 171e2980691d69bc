"""End-to-end runs of ``grader check`` on fixture submissions, with the real sandbox."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.conftest import EXAMPLES, SOLUTIONS, TEMPLATES, run_grader

SEED = "12345"


def grade(tmp_path: Path, *paths: Path, extra: tuple[str, ...] = (), env: dict[str, str] | None = None) -> dict[str, Any]:
    out = tmp_path / "out"
    done = run_grader("check", *map(str, paths), "--out", str(out), "--seed", SEED, "--no-progress", *extra, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads((out / "report.json").read_text())


def by_student(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["student"]: s for s in report["submissions"]}


def outcomes(sub: dict[str, Any]) -> dict[str, str]:
    return {f"{q['id']}/{i['name']}": i["outcome"] for q in sub["questions"] for i in q["items"]}


def write_notebook(path: Path, *sources: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, str(path))


@pytest.fixture
def jhu_class(tmp_path: Path) -> Path:
    folder = tmp_path / "class"
    folder.mkdir()
    reference = (SOLUTIONS / "jhu_hw3.py").read_text()
    (folder / "correct.py").write_text(reference)
    rounded = reference + "\nQ1B_W_NEW = np.round(Q1B_W_NEW, 3)\nQ2B_GRADS = np.round(Q2B_GRADS, 3)\nQ2D_GRADS = np.round(Q2D_GRADS, 3)\n"
    (folder / "rounded.py").write_text(rounded)
    for name, scale in (("mean", "1.0 / np.shape(X)[-1]"), ("half", "0.5"), ("both", "0.5 / np.shape(X)[-1]")):
        text = reference.replace("return _scaled_step(W, X, Y, lr, 1.0)\n", f"return _scaled_step(W, X, Y, lr, {scale})\n", 1)
        (folder / f"convention_{name}.py").write_text(text)
    (folder / "per_sample.py").write_text(reference + "\nQ1B_W_NEW = Q1B_W_NEW_PER_SAMPLE\nl2_step = l2_step_per_sample\n")
    (folder / "wrong_shape.py").write_text(reference + "\nQ2B_GRADS = Q2B_GRADS.reshape(1, 3)\n")
    (folder / "constants.py").write_text(reference + "\n_G = grad_W(np.ones((2, 2)), np.ones((2, 2)))\ndef grad_W(a, b):\n    return _G\n")
    (folder / "Copy of correct (1).py").write_text(reference)
    (folder / "syntax.py").write_text('ASSIGNMENT = "jhu-hw3"\ndef f(:\n')
    (folder / "loop.py").write_text(reference + "\ndef grad_W(a, b):\n    while True:\n        pass\n")
    shutil.copy(TEMPLATES / "jhu-hw3" / "jhu_hw3.py", folder / "blank.py")
    shutil.copy(TEMPLATES / "jhu-hw3" / "jhu_hw3.ipynb", folder / "blank_nb.ipynb")
    write_notebook(folder / "notebook.ipynb", "%matplotlib inline\n!pip install nothing\n" + reference,
                   "%%time\nQ2B_TREND = 'vanishing'", "Q2D_TREND = undefined_name\n")
    return folder


def test_jhu_class(tmp_path: Path, jhu_class: Path) -> None:
    report = grade(tmp_path, jhu_class, extra=("--timeout", "30"))
    subs = by_student(report)
    assert report["seed"] == int(SEED) and report["assignment"] == "jhu-hw3"
    full = {"graded", 24.0, 3.0}
    for name in ("correct", "rounded", "Copy of correct (1)"):
        assert {subs[name]["status"], subs[name]["points"], subs[name]["pending_manual_points"]} == full, name
    for name in ("convention_mean", "convention_half", "convention_both"):
        got = outcomes(subs[name])
        assert got["q1b/l2_step"] == "partial", name
        item = next(i for q in subs[name]["questions"] for i in q["items"] if i["name"] == "l2_step")
        assert item["points"] == 1.0 and ("averaged" in item["feedback"] or "1/2" in item["feedback"])
    mean = next(i for q in subs["convention_mean"]["questions"] for i in q["items"] if i["name"] == "Q1B_W_NEW")
    assert mean["outcome"] == "partial" and mean["points"] == 1.5
    per_sample = outcomes(subs["per_sample"])
    assert per_sample["q1b/Q1B_W_NEW"] == "wrong" and per_sample["q1b/l2_step"] == "wrong"
    assert "per-sample" in json.dumps(subs["per_sample"]) or "one update per sample" in json.dumps(subs["per_sample"])
    assert outcomes(subs["wrong_shape"])["q2b/Q2B_GRADS"] == "wrong"
    assert "has shape (1, 3), expected (3,)" in json.dumps(subs["wrong_shape"])
    assert outcomes(subs["constants"])["q1a/grad_W"] == "wrong"
    assert subs["syntax"]["status"] == "error" and "SyntaxError" in subs["syntax"]["error"] and "line 2" in subs["syntax"]["error"]
    loop = outcomes(subs["loop"])
    assert loop["q1a/grad_W"] == "timeout" and subs["loop"]["points"] == 22.0
    for name in ("blank", "blank_nb"):
        assert subs[name]["points"] == 0.0 and subs[name]["pending_manual_points"] == 0.0
    nb = outcomes(subs["notebook"])
    assert nb["q2b/Q2B_TREND"] == "correct" and nb["q2d/Q2D_TREND"] == "correct"
    assert subs["notebook"]["points"] == 24.0


def test_failing_cell_reports_its_traceback(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    write_notebook(folder / "nb.ipynb", 'ASSIGNMENT = "jhu-hw3"\nimport numpy as np',
                   "Q2A_MAX = 0.25\nQ2A_ARGMAX = 1 / 0", "Q2A_INF = 0.0")
    sub = grade(tmp_path, folder)["submissions"][0]
    items = {i["name"]: i for q in sub["questions"] for i in q["items"]}
    assert items["Q2A_MAX"]["outcome"] == "correct"
    assert items["Q2A_ARGMAX"]["outcome"] == "missing"
    assert "cell 2" in items["Q2A_ARGMAX"]["feedback"] and "ZeroDivisionError" in items["Q2A_ARGMAX"]["feedback"]
    assert "line 2" in items["Q2A_ARGMAX"]["feedback"]
    assert items["Q2A_INF"]["outcome"] == "correct"
    assert any("cell 2" in w and "ZeroDivisionError" in w for w in sub["warnings"])


def test_renamed_file_gets_the_same_grade(tmp_path: Path) -> None:
    reference = (SOLUTIONS / "mit_backprop.py").read_text().replace("DELTA_HIDDEN_CHOICE = 0", "DELTA_HIDDEN_CHOICE = 1")
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    (tmp_path / "a" / "alice.py").write_text(reference)
    (tmp_path / "b" / "Copy of alice (2) LATE.py").write_text(reference)
    first = grade(tmp_path / "a", tmp_path / "a")["submissions"][0]
    second = grade(tmp_path / "b", tmp_path / "b")["submissions"][0]
    assert first["questions"] == second["questions"] and first["points"] == second["points"] == 14.0


def test_missing_and_mismatched_assignment(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "none.py").write_text("x = 1\n")
    (folder / "other.py").write_text('ASSIGNMENT = "mit-backprop"\n')
    (folder / "unknown.py").write_text('ASSIGNMENT = "cs999"\n')
    subs = by_student(grade(tmp_path, folder, extra=("--assignment", "jhu-hw3")))
    assert subs["none"]["status"] == "graded"
    assert subs["other"]["status"] == "error" and "--assignment jhu-hw3" in subs["other"]["error"]
    subs = by_student(grade(tmp_path / "second", folder))
    assert "no assignment" in subs["none"]["error"] and "cs999" in subs["unknown"]["error"]


def test_outputs_and_formats(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run_grader("check", str(EXAMPLES / "mit-backprop"), "--out", str(out), "--seed", SEED, "--format", "csv")
    assert done.returncode == 0
    rows = list(csv.reader(done.stdout.splitlines()))
    assert rows[0][:2] == ["student", "error-last"] and rows[1][0] == "(points possible)"
    assert (out / "grades.csv").read_text() == done.stdout
    assert {p.name for p in (out / "feedback").iterdir()} == {"blank_template.md", "emmy_noether.md", "john_von_neumann.md"}
    report = json.loads((out / "report.json").read_text())
    assert {s["student"]: s["points"] for s in report["submissions"]} == {
        "blank_template": 0.0, "emmy_noether": 15.0, "john_von_neumann": 10.0}
    as_json = run_grader("check", str(EXAMPLES / "mit-backprop"), "--out", str(out), "--seed", SEED, "--format", "json")
    assert json.loads(as_json.stdout)["submissions"][1]["points"] == 15.0
    assert re.search(r"\(0 run, 3 reused\)", as_json.stderr)


def test_usage_errors_have_their_own_exit_code(tmp_path: Path) -> None:
    missing = run_grader("check", str(tmp_path / "nope"), "--out", str(tmp_path / "o"))
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    assert run_grader("check").returncode == 2
    unknown = run_grader("check", str(EXAMPLES / "jhu-hw3"), "--assignment", "zzz", "--out", str(tmp_path / "o"))
    assert unknown.returncode == 2 and "unknown assignment" in unknown.stderr


NYU = ["impl-losses", "impl-forward", "impl-backward", "impl-clear"]


def _nyu_student(folder: Path, mlp_tail: str) -> None:
    """A folder submission: the reference theory module, and the reference mlp.py plus ``mlp_tail``."""
    folder.mkdir()
    shutil.copy(SOLUTIONS / "nyu_hw1.py", folder / "hw1.py")
    (folder / "mlp.py").write_text((SOLUTIONS / "nyu_hw1_mlp.py").read_text() + mlp_tail)


@pytest.mark.torch
def test_nyu_with_torch(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    folder = tmp_path / "class"
    shutil.copytree(EXAMPLES / "nyu-hw1", folder)
    _nyu_student(folder / "autograd_user", "\n\ndef _uses_autograd(t):\n    return t\n\n_orig = MLP.backward\n\nclass MLP(MLP):\n    def backward(self, dJdy_hat):\n        probe = dJdy_hat.clone().requires_grad_(True)\n        (probe * 1).sum().backward()\n        return _orig(self, dJdy_hat)\n")
    # autograd the source check cannot see (not named inside MLP), bound when mlp.py is imported
    _nyu_student(folder / "grad_binder", "\n\nfrom torch.autograd import grad as _g\n_orig = MLP.backward\n\nclass MLP(MLP):\n    def backward(self, dJdy_hat):\n        t = torch.ones(1, requires_grad=True)\n        _g((t * 2).sum(), t)\n        return _orig(self, dJdy_hat)\n")
    subs = by_student(grade(tmp_path, folder))
    assert subs["marie_curie"]["points"] == 92.0 and subs["marie_curie"]["pending_manual_points"] == 8.0
    bug = outcomes(subs["claude_shannon"])
    assert bug["impl-losses/mse_loss"] == "wrong" and bug["impl-losses/bce_loss"] == "correct"
    assert "batch size only" in json.dumps(subs["claude_shannon"])
    flagged = outcomes(subs["autograd_user"])
    assert flagged["impl-backward/MLP.backward"] == "flagged"
    assert subs["autograd_user"]["points"] == 92.0  # flagged items keep their points
    assert outcomes(subs["grad_binder"])["impl-backward/MLP.backward"] == "flagged"
    assert "autograd ran while it was called" in json.dumps(subs["grad_binder"])
    assert subs["blank_notebook"]["points"] == 0.0


def test_nyu_without_torch_is_not_gradable(tmp_path: Path) -> None:
    report = grade(tmp_path, EXAMPLES / "nyu-hw1", env={"GRADER_NO_TORCH": "1"})
    sub = by_student(report)["marie_curie"]
    for question in sub["questions"]:
        if question["id"] in NYU:
            assert {i["outcome"] for i in question["items"]} == {"not-gradable"}
    assert sub["points"] == 42.0 and sub["not_gradable_points"] == 50.0
    sheet = (tmp_path / "out" / "grades.csv").read_text().splitlines()
    assert ",n/a," in next(line for line in sheet if line.startswith("marie_curie"))


def test_children_get_sites_builtins_but_not_its_hooks(tmp_path: Path) -> None:
    """The worker starts without site: exit() still works, and nothing a .pth hook imports (here
    threading, whose at-fork handler every child would run) is preloaded."""
    folder = tmp_path / "class"
    folder.mkdir()
    reference = (SOLUTIONS / "jhu_hw3.py").read_text()
    (folder / "quits.py").write_text(reference + "\nquit()\n")
    (folder / "looks.py").write_text(reference + '\nimport sys\nif "threading" in sys.modules:\n'
                                     '    raise RuntimeError("threading was preloaded")\n')
    subs = by_student(grade(tmp_path, folder))
    quits = json.dumps(subs["quits"])
    assert "SystemExit" in quits and "NameError" not in quits
    assert "threading was preloaded" not in json.dumps(subs["looks"])
    assert subs["looks"]["points"] == 24.0
