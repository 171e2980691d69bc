"""report.html from reports made in the test: its sections, its figures, and the page without the extra."""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from grader.diff import Regrade, Reports
from grader.outputs import QuestionColumn, RunInfo, SheetPlan, write_all
from grader.outputs._page import ONE_NOTE, PLAIN_NOTE
from grader.report import ItemReport, QuestionReport, RunHeader, SubmissionReport

HEADER = RunHeader(grader_version="9.9", assignment="hw", seed=7, sandbox="bwrap", torch=False,
                   created="2026-01-01T00:00:00+00:00")
# (name, kind, max_points); q1 has a text item graded by hand
ITEMS = {"q1": [("A", "number", 2.0), ("TEXT", "text", 3.0)], "q2": [("f", "function", 4.0), ("B", "array", 1.0)]}


def report(student: str, outcomes: dict[str, tuple[str, float, str, str]], *, status: str = "graded",
           error: str | None = None, similar: str = "") -> SubmissionReport:
    """A report whose items have (outcome, points, reason, convention) as given, else correct."""
    questions = []
    for qid, items in ITEMS.items():
        made = []
        for name, kind, worth in items:
            outcome, points, reason, convention = outcomes.get(name, ("manual", 0.0, "", "") if kind == "text"
                                                               else ("correct", worth, "", ""))
            made.append(ItemReport(name=name, kind=kind, outcome=outcome, points=points, max_points=worth,
                                   manual=kind == "text", feedback="", reason=reason, convention=convention))
        automatic = [i for i in made if not i.manual]
        questions.append(QuestionReport(
            id=qid, points=sum(i.points for i in automatic), max_points=sum(i.max_points for i in automatic),
            manual_max_points=sum(i.max_points for i in made if i.manual),
            pending_manual_points=sum(i.max_points for i in made if i.manual and i.outcome == "manual"), items=made))
    return SubmissionReport(
        student=student, assignment="hw", source=f"class/{student}.py", feedback_file=f"feedback/{student}.md",
        status=status, error=error, points=sum(q.points for q in questions), max_points=7.0, manual_max_points=3.0,
        pending_manual_points=sum(q.pending_manual_points for q in questions), questions=questions,
        content_hash="x", similarity_hash=similar or student, seconds=0.1)


def the_class() -> list[SubmissionReport]:
    wrong_a = {"A": ("wrong", 0.0, "wrong value", "")}
    return [
        report("ada", {}),
        report("bob", {"f": ("partial", 2.0, "", "mean")}, similar="same"),
        report("cy", {"f": ("partial", 2.0, "", "mean"), **wrong_a}, similar="same"),
        report("dee", {"f": ("timeout", 0.0, "timeout", ""), **wrong_a}),
        report("eve", {"f": ("wrong", 0.0, "wrong shape", ""), "B": ("wrong", 0.0, "not finite", "")}),
        report("fay", {n: ("error", 0.0, "not run", "") for n in ("A", "f", "B")}, status="error",
               error="fay.py failed: SyntaxError: invalid syntax (fay.py, line 3)"),
        report("gus", {n: ("error", 0.0, "not run", "") for n in ("A", "f", "B")}, status="error",
               error="gus.py failed: SyntaxError: unexpected indent (gus.py, line 9)"),
    ]


def info(out: Path, changes: Regrade | None = None) -> RunInfo:
    columns = tuple(QuestionColumn(q, sum(w for _, k, w in items if k != "text"),
                                   sum(w for _, k, w in items if k == "text")) for q, items in ITEMS.items())
    return RunInfo(header=HEADER, out=out, plan=SheetPlan({"hw": columns}), students=7, rubrics={"hw": "abc123"},
                   changes=changes)


def write(out: Path, reports: list[SubmissionReport], changes: Regrade | None = None) -> str:
    out.mkdir(exist_ok=True)
    write_all(info(out, changes), reports, None, sys.stdout)
    return (out / "report.html").read_text(encoding="utf-8")


class Text(HTMLParser):
    """The page's visible text, and every tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.skip and data.strip():
            self.text.append(" ".join(data.split()))


def parsed(page: str) -> Text:
    found = Text()
    found.feed(page)
    return found


def test_the_page_holds_every_section_figure_and_student(tmp_path: Path) -> None:
    page = write(tmp_path / "out", the_class())
    text = " | ".join(parsed(page).text)
    for student in ("ada", "bob", "cy", "dee", "eve", "fay", "gus"):
        assert f"| {student} |" in text
    assert "7 submissions found: 5 graded, 2 with status error" in text
    assert "SyntaxError | 2 | fay, gus" in text  # errors grouped by their reason
    assert "seed: | 7" in text and "rubric hw: | abc123" in text and "sandbox: | bwrap" in text
    # q2/f over the 5 graded: 1 at full marks, 2 partial (mean), 2 at zero (timeout, wrong shape)
    assert "f | 4 | 1.6 | 20% | 40% | 40%" in text
    assert "hw | q2/f | mean | 2 | 40% | half credit" in text
    assert "matched mean 2 · timeout 1 · wrong shape 1" in text
    assert "hw | 2 | bob, cy" in text  # the one group of identical submissions
    assert "7 students have text items awaiting a score, 21 points in all" in text
    assert page.count("<svg") == 2  # the histogram and the outcome bars


def test_discrimination_is_the_upper_half_minus_the_lower_half(tmp_path: Path) -> None:
    page = write(tmp_path / "out", the_class())
    rows = {cells[0]: cells for cells in _rows(page)}
    # graded totals: ada 7, bob 5, cy 3, dee 1, eve 2 -> upper (ada, bob), lower (dee, eve)
    assert rows["A"][7] == "+0.50"  # A: upper 2 of 2 at full marks, lower 1 of 2 (eve)
    assert rows["B"][7] == "+0.50"  # B: upper 2 of 2, lower 1 of 2 (eve's B is not finite)
    assert rows["f"][7] == "+0.50" and rows["f"][8] == ""  # f: upper 1 of 2 (ada), lower none
    assert rows["TEXT"][6] == "graded by hand; 5 pending" and rows["TEXT"][7] == ""


def _rows(page: str) -> list[list[str]]:
    class Rows(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.rows: list[list[str]] = []
            self.cell: list[str] | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "tr":
                self.rows.append([])
            elif tag == "td":
                self.cell = []

        def handle_endtag(self, tag: str) -> None:
            if tag == "td" and self.cell is not None:
                self.rows[-1].append(" ".join("".join(self.cell).split()))
                self.cell = None

        def handle_data(self, data: str) -> None:
            if self.cell is not None:
                self.cell.append(data)

    found = Rows()
    found.feed(page)
    return [r for r in found.rows if r]


def test_without_the_extra_the_page_is_plain_tables_and_a_note(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("jinja2", "markupsafe", "matplotlib"):
        monkeypatch.setitem(sys.modules, name, None)  # import raises ImportError, as when not installed
    page = write(tmp_path / "out", the_class())
    text = " | ".join(parsed(page).text)
    assert PLAIN_NOTE in text and "<svg" not in page and "<script" not in page
    for student in ("ada", "bob", "cy", "dee", "eve", "fay", "gus"):
        assert f"| {student} |" in text
    assert "f | 4 | 1.6 | 20% | 40% | 40%" in text and "hw | 2 | bob, cy" in text


def test_with_jinja_but_without_matplotlib_the_page_says_where_the_charts_went(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    page = write(tmp_path / "out", the_class())
    assert "Charts need matplotlib" in page and "<svg" not in page


def test_a_regrade_lists_whose_totals_moved_and_why(tmp_path: Path) -> None:
    before = tmp_path / "before"
    write(before, the_class())
    after = the_class()
    after[3] = report("dee", {"A": ("wrong", 0.0, "wrong value", "")})  # f: timeout -> correct
    regrade = Regrade(Reports(before / "report.json"))
    for one in after:
        regrade.add(one)
    regrade.close()
    page = write(tmp_path / "after", after, regrade)
    text = " | ".join(parsed(page).text)
    assert "1 of 7 students' totals changed" in text
    assert "dee | 1 | 5 | q2/f: timeout 0 -> correct 4" in text


def test_an_item_no_one_or_everyone_gets_is_flagged(tmp_path: Path) -> None:
    reports = [report(f"s{i}", {"B": ("wrong", 0.0, "wrong value", ""), "A": ("wrong", 0.0, "wrong value", "")}
                      if i < 2 else {"B": ("wrong", 0.0, "wrong value", "")}) for i in range(6)]
    rows = {cells[0]: cells for cells in _rows(write(tmp_path / "out", reports))}
    assert rows["B"][8] == "no one got full marks" and rows["f"][8] == "everyone got full marks"
    assert rows["A"][7] == "+0.67" and rows["A"][8] == ""


def test_a_long_class_is_paged_and_the_first_page_is_open(tmp_path: Path) -> None:
    many = [report(f"s{i:04d}", {} if i % 3 else {"A": ("wrong", 0.0, "wrong value", "")}) for i in range(600)]
    page = write(tmp_path / "out", many)
    assert page.count("<details") >= 3 and 'open data-first="1"' in page
    assert "rows 501 to 600 of 600" in page


def test_a_run_of_one_submission_gets_the_plain_page_without_importing_the_extra(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("jinja2", "markupsafe", "matplotlib"):
        monkeypatch.setitem(sys.modules, name, None)  # an import would raise: none may be tried
    one = the_class()[:1]
    page = write(tmp_path / "out", one)
    text = " | ".join(parsed(page).text)
    assert ONE_NOTE in text and PLAIN_NOTE not in text and "<svg" not in page
    assert f"| {one[0].student} |" in text


@pytest.mark.parametrize("python", ["/bin/false", "/no/such/python", ""])
def test_when_the_rendering_helper_fails_the_page_is_rendered_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   python: str) -> None:
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(sys, "executable", python)  # the helper exits 1, cannot start, or is not tried
    page = write(tmp_path / "out", the_class())
    assert "<svg" in page and PLAIN_NOTE not in page
    text = " | ".join(parsed(page).text)
    for student in ("ada", "bob", "cy", "dee", "eve", "fay", "gus"):
        assert f"| {student} |" in text
