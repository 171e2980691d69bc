"""report.html in a real browser: a class whose ids and error messages are hostile markup, graded
by ``grader check`` and opened in headless Chromium (Debian's ``/usr/bin/chromium``, driven by
Playwright's Python package; ``playwright install`` is never needed).

The page must load nothing but itself, run no script but its own, raise no dialog, log no
error, turn nothing a student wrote into markup, show every student and every question of the
rubrics, hold its charts, and read the same with JavaScript turned off. Expected students come
from the file names written here, expected questions from the rubric files (tomllib).
"""

from __future__ import annotations

import os
import tomllib
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

from grader.outputs._page import SCRIPT
from tests.conftest import ROOT, SOLUTIONS, run_grader
from tests.unit.test_class_report import report as made_report
from tests.unit.test_class_report import write as write_page

CHROMIUM = Path("/usr/bin/chromium")
HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(1)> [click](javascript:alert(1))'
BOB = "b<o>b & \"co\" 'x'"  # a wrong value on the first run, fixed for the re-grade
EVE = 'eve"><img src=x onerror=alert(1)>'  # grad_W raises HOSTILE
SVG = "<svg onload=alert(1)>"  # and ENTITIES: identical code, a wrong value
ENTITIES = "&amp;&lt;"
SEED = "5"
# Each student table's caption (its assignment) and the first cell of each of its rows.
STUDENT_TABLES = """() => [...document.querySelectorAll("#students h3")].map((h) => [h.textContent,
  [...h.nextElementSibling.querySelectorAll("tbody tr")].map((row) => row.cells[0].textContent)])"""
# The first cell of each row of the first student table that is shown on screen.
VISIBLE_ROWS = """() => [...document.querySelectorAll("#students [data-search]")[0].querySelectorAll("tbody tr")]
  .filter((row) => row.checkVisibility()).map((row) => row.cells[0].innerText)"""

# Everything the page's own DOM says, read at once: its text, scripts, event-handler attributes,
# images, links (resolved) and charts (inline SVG, with the section each is in).
PROBE = """() => {
  const all = [...document.querySelectorAll("*")];
  const resolved = (href) => { try { return new URL(href, document.baseURI).href; } catch (e) { return "bad:" + href; } };
  const href = (e) => e.getAttribute("href") ?? e.getAttributeNS("http://www.w3.org/1999/xlink", "href");
  return {
    text: document.body.innerText,
    scripts: [...document.querySelectorAll("script")].map((s) => ({src: s.getAttribute("src"), text: s.textContent})),
    handlers: all.flatMap((e) => [...e.attributes].filter((a) => a.name.toLowerCase().startsWith("on"))
                                                    .map((a) => e.tagName + " " + a.name)),
    images: [...document.querySelectorAll("img, image, iframe, object, embed, video, audio, source, link")]
              .map((e) => e.tagName + " " + (e.getAttribute("src") ?? href(e) ?? e.getAttribute("data"))),
    links: [...document.querySelectorAll("a")].map((a) => resolved(href(a) ?? "")),
    charts: [...document.querySelectorAll("svg")].filter((s) => !s.parentElement.closest("svg")).map((s) => ({
      section: s.closest("section")?.id ?? "",
      text: s.textContent, width: s.getBoundingClientRect().width, height: s.getBoundingClientRect().height,
      shapes: s.querySelectorAll("path, rect, use").length})),
  };
}"""


def _unavailable(reason: str) -> NoReturn:
    """Skip where no browser is installed, but never in CI, which must run this test."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: CI must run the browser test (.ci/run installs chromium)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Graded:
    out: Path
    page: Path
    students: dict[str, str]  # student id -> assignment
    questions: dict[str, list[str]]  # assignment -> its question ids, in the rubric's order
    stderr: str


def rubric_questions(assignment: str) -> list[str]:
    rubric = tomllib.loads((ROOT / "rubrics" / f"{assignment}.toml").read_text())
    return [question["id"] for question in rubric["questions"]]


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Graded:
    """Two assignments, hostile ids, a hostile exception raised at import and one raised by a graded
    function, two identical submissions; graded, then re-graded after BOB's mistake is fixed."""
    root = tmp_path_factory.mktemp("page")
    folder = root / "class"
    folder.mkdir()
    jhu = (SOLUTIONS / "jhu_hw3.py").read_text()
    mit = (SOLUTIONS / "mit_backprop.py").read_text()
    files = {
        "ada": jhu,
        BOB: jhu + "\nQ2A_MAX = 0.3\n",
        EVE: jhu + f"\ndef grad_W(dL_dP, X):\n    raise ValueError({HOSTILE!r})\n",
        "mallory": jhu + f"\nclass Boom(Exception):\n    pass\n\nraise Boom({HOSTILE!r})\n",
        "grace": mit,
        SVG: mit + "\nSIMPLE_NET_LOSS = 99.0\n",
        ENTITIES: mit + "\nSIMPLE_NET_LOSS = 99.0\n\n\n# the same code as the one above, with a comment\n",
    }
    for student, code in files.items():
        (folder / f"{student}.py").write_text(code)
    out = root / "out"
    first = run_grader("check", str(folder), "--out", str(out), "--seed", SEED, "--no-progress")
    assert first.returncode == 0, first.stderr
    (folder / f"{BOB}.py").write_text(jhu)
    again = run_grader("check", str(folder), "--out", str(out), "--seed", SEED, "--no-progress")
    assert again.returncode == 0, again.stderr
    students = {s: "jhu-hw3" if code.startswith(jhu) else "mit-backprop" for s, code in files.items()}
    return Graded(out, out / "report.html", students,
                  {name: rubric_questions(name) for name in ("jhu-hw3", "mit-backprop")}, again.stderr)


class Watch:
    """Every sign that the page reached outside itself or ran something: failing on any."""

    def __init__(self, page: Any, url: str) -> None:
        self.problems: list[str] = []
        page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} ({r.failure})"))
        page.on("request", lambda r: None if r.url == url or r.url.startswith("data:")
                else self.problems.append(f"request: {r.url}"))
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.problems.append(f"a {dialog.type} dialog: {dialog.message}")
        dialog.dismiss()


def opened(browser: Any, path: Path, *, javascript: bool = True) -> tuple[Any, Any, Watch]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=javascript)
    page = context.new_page()
    url = path.as_uri()
    watch = Watch(page, url)
    page.goto(url, wait_until="load")
    return context, page, watch


@pytest.mark.slow
def test_the_page_shows_everyone_and_runs_nothing_a_student_wrote(browser: Any, graded: Graded,
                                                                   tmp_path: Path) -> None:
    context, page, watch = opened(browser, graded.page)
    try:
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        found = page.evaluate(PROBE)
        page.wait_for_timeout(200)  # anything scheduled by an injected handler would have run by now
        ids = page.locator("#students tbody tr td:first-child").all_inner_texts()
        tables = page.evaluate(STUDENT_TABLES)
        questions = {a: page.locator(f'[id="assignment-{a}"] tbody strong').all_inner_texts() for a in graded.questions}
    finally:
        context.close()
    assert watch.problems == []
    assert (tmp_path / "report.png").stat().st_size > 10_000

    # nothing a student wrote became markup
    assert found["scripts"] == [{"src": None, "text": SCRIPT}]
    assert found["handlers"] == []
    assert found["images"] == []
    assert found["links"] and all(link.startswith("file:") for link in found["links"]), found["links"]
    # ... and it is shown as the text it was
    assert sorted(ids) == sorted(graded.students)
    assert {caption: sorted(names) for caption, names in tables} == {
        assignment: sorted(s for s, a in graded.students.items() if a == assignment) for assignment in graded.questions}
    for student in graded.students:
        assert student in found["text"]
    assert "<script>alert(" in found["text"]  # mallory's error, grouped by its message

    # each feedback link leads to the student's feedback file
    feedback = [urllib.parse.unquote(urllib.parse.urlsplit(link).path) for link in found["links"]
                if "/feedback/" in link]
    assert len(set(feedback)) == len(graded.students)
    assert all(Path(f).is_file() and Path(f).parent == graded.out / "feedback" for f in feedback)

    # every question of each rubric, in its order, in its assignment's table
    assert questions == graded.questions
    # a histogram per assignment in the overview, an outcome chart in each assignment's section
    charts = found["charts"]
    for assignment in graded.questions:
        assert [c for c in charts if c["section"] == "overview" and f"{assignment}: automatic totals" in c["text"]]
        assert [c for c in charts if c["section"] == f"assignment-{assignment}"
                and f"{assignment}: outcomes per item" in c["text"]]
    assert all(c["width"] > 300 and c["height"] > 100 and c["shapes"] > 10 for c in charts), charts

    # the re-grade, on stderr and in the page: BOB alone moved
    assert "re-grade: 1 student's total changed" in graded.stderr
    assert BOB in graded.stderr
    assert "Changes since the previous run" in found["text"]


@pytest.mark.slow
def test_the_changes_and_identical_sections_name_hostile_ids_as_text(browser: Any, graded: Graded) -> None:
    context, page, watch = opened(browser, graded.page)
    try:
        changed = page.locator("#changes tbody tr td:first-child").all_inner_texts()
        identical = page.locator("#identical tbody tr td:nth-child(4)").all_inner_texts()
    finally:
        context.close()
    assert watch.problems == []
    assert changed == [BOB]
    # SVG and ENTITIES differ by a comment; BOB, fixed, is now the reference as ada is
    groups = [[s for s in (SVG, ENTITIES, "ada", BOB) if s in who] for who in identical]
    assert sorted(groups) == [[SVG, ENTITIES], ["ada", BOB]]


@pytest.mark.slow
def test_the_filter_finds_a_hostile_id(browser: Any, graded: Graded) -> None:
    context, page, watch = opened(browser, graded.page)
    try:
        page.locator("#students [data-search] input.filter").first.fill("<o>b &")
        visible = page.evaluate(VISIBLE_ROWS)
    finally:
        context.close()
    assert watch.problems == []
    assert visible == [BOB]


@pytest.mark.slow
def test_without_javascript_every_table_and_chart_is_still_there(browser: Any, graded: Graded) -> None:
    context, page, watch = opened(browser, graded.page, javascript=False)
    try:
        rows = page.locator("#students tbody tr")
        shown = [rows.nth(i).is_visible() for i in range(rows.count())]
        filters = page.locator("input.filter").count()
        charts = page.locator("svg").count()
    finally:
        context.close()
    assert watch.problems == []
    assert shown == [True] * len(graded.students)
    assert filters == 0  # the script adds them; without it, nothing is broken, only no filter
    assert charts == 2 * len(graded.questions)


def test_a_long_class_is_paged_with_or_without_javascript(browser: Any, tmp_path: Path) -> None:
    """600 students: the first 250 rows are open, the rest are behind closed summaries; the filter
    (JavaScript) reaches rows on closed pages."""
    students = [f"s{i:04d}" for i in range(600)]
    write_page(tmp_path / "out", [made_report(s, {}) for s in students])
    page_file = tmp_path / "out" / "report.html"

    context, page, watch = opened(browser, page_file, javascript=False)
    try:
        table = page.locator("#students [data-search]").first
        rows = table.locator("tbody tr")
        first_page = [rows.nth(i).is_visible() for i in (0, 249)]
        later = [rows.nth(i).is_visible() for i in (250, 599)]
        summaries = table.locator("summary").all_inner_texts()
    finally:
        context.close()
    assert watch.problems == []
    assert first_page == [True, True] and later == [False, False]
    assert summaries == ["rows 1 to 250 of 600", "rows 251 to 500 of 600", "rows 501 to 600 of 600"]

    context, page, watch = opened(browser, page_file)
    try:
        page.locator("#students [data-search] input.filter").first.fill("s0599")
        visible = page.evaluate(VISIBLE_ROWS)
    finally:
        context.close()
    assert watch.problems == []
    assert visible == ["s0599"]
