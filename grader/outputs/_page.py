"""Rendering report.html from its sections: Jinja2 and matplotlib when installed, plain tables if not.

The page is one self-contained file: inline CSS, inline SVG charts, one small inline script
(a filter for the long tables) that a Content-Security-Policy allows by its hash and that
nothing else needs: long tables are paged with ``<details>``, which work without it. Jinja2
runs with autoescape on, and the only markup passed through unescaped is matplotlib's SVG
of charts whose labels come from the rubric, never from a student, and the tables' rows,
built by ``rows_html`` with every cell's text escaped by markupsafe. Both libraries are
imported only here, when the page is written, so that they cost a run nothing until then.
"""

from __future__ import annotations

import base64
import hashlib
import html
import importlib.util
import io
import os
import pickle
import re
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OUTCOME_COLOURS = {"correct": "#2e7d32", "partial": "#f9a825", "flagged": "#ad1457", "wrong": "#c62828",
                   "missing": "#9e9e9e", "error": "#6a1b9a", "timeout": "#ef6c00", "manual": "#1565c0",
                   "not-gradable": "#cfd8dc"}
PLAIN_NOTE = ("This is the plain page: install the report extra (pip install 'backprop-grader[report]', "
              "which adds Jinja2 and matplotlib) for charts and a richer layout.")
# A run of one submission (Gradescope, a student's repository) gets the plain page: charts of one
# student say nothing, and importing Jinja2 and matplotlib would double the run's time.
ONE_NOTE = "A run of one submission gets this plain page; a class gets charts."
NO_CHARTS = "Charts need matplotlib (the report extra): pip install 'backprop-grader[report]'."
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)  # matplotlib's RDF block: nothing to show
TEMPLATE = Path(__file__).with_name("templates") / "report.html.j2"
SCRIPT = """
document.querySelectorAll("[data-search]").forEach(function (box) {
  var input = document.createElement("input");
  input.type = "search"; input.placeholder = "Filter students"; input.className = "filter";
  box.insertBefore(input, box.firstChild);
  input.addEventListener("input", function () {
    var query = input.value.toLowerCase();
    box.querySelectorAll("details").forEach(function (d) { d.open = query !== "" || d.dataset.first === "1"; });
    box.querySelectorAll("tbody tr").forEach(function (row) {
      row.hidden = query !== "" && row.textContent.toLowerCase().indexOf(query) < 0;
    });
  });
});
""".strip()


@dataclass(frozen=True)
class Link:
    text: str
    href: str  # already URL-quoted, relative


@dataclass(frozen=True)
class Strong:
    text: str


@dataclass(frozen=True)
class Indented:
    text: str


@dataclass(frozen=True)
class Bar:
    """A stacked bar of outcome counts, in a table cell."""

    counts: dict[str, int]

    def parts(self) -> list[tuple[str, int, str]]:
        return [(name, self.counts[name], colour) for name, colour in OUTCOME_COLOURS.items() if self.counts.get(name)]

    def text(self) -> str:
        return ", ".join(f"{name} {count}" for name, count, _ in self.parts())


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[Any]]
    numeric: tuple[int, ...] = ()
    page_size: int = 0  # 0: one page
    searchable: bool = False
    legend: bool = False  # it has Bar cells: show the colours' key

    def pages(self) -> list[tuple[int, int, list[list[Any]]]]:
        """(first row number, last, rows) per page."""
        size = self.page_size or max(len(self.rows), 1)
        return [(start + 1, min(start + size, len(self.rows)), self.rows[start:start + size])
                for start in range(0, len(self.rows), size)]


@dataclass
class Histogram:
    title: str
    values: list[float]
    max_points: float
    mean: float
    median: float


@dataclass
class OutcomeChart:
    title: str
    labels: list[str]
    counts: list[dict[str, int]]


@dataclass
class Section:
    id: str
    title: str
    lines: list[str]
    charts: Sequence[Histogram | OutcomeChart]
    tables: list[Table]


@dataclass
class Page:
    title: str
    meta: list[tuple[str, str]]
    sections: list[Section]
    notes: list[str] = field(default_factory=list)


class Renderer:
    """Renders the page in a helper process started when the outputs open, so that importing
    Jinja2 and matplotlib (about 0.8 s) overlaps the writing of the other outputs, on a core the
    finished workers left idle. In this process when the helper cannot start or fails."""

    def __init__(self, rich: bool) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.charts = _importable("matplotlib")
        if not rich or not sys.executable or os.environ.get("GRADER_REPORT_PLAIN") or not (
                _importable("jinja2") and _importable("markupsafe")):
            return  # nothing to overlap: render() writes the plain page, or renders here
        root = str(Path(__file__).resolve().parents[2])  # where this grader is imported from
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        try:
            self.process = subprocess.Popen([sys.executable, "-c", "from grader.outputs._page import serve; serve()"],
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=subprocess.DEVNULL, env=env)
        except OSError:
            self.process = None

    def render(self, page: Page, rich: bool = True) -> str:
        process, self.process = self.process, None
        if process is not None and rich:
            try:
                out, _ = process.communicate(pickle.dumps((page, self.charts)), timeout=RENDER_SECONDS)
                if process.returncode == 0:
                    return out.decode("utf-8", "surrogatepass")
            except (OSError, ValueError, subprocess.SubprocessError, pickle.PicklingError):
                pass
        if process is not None:
            _stop(process)
        return render(page, rich, charts=self.charts)

    def close(self) -> None:
        """Stop the helper of a run whose page is not written."""
        if self.process is not None:
            _stop(self.process)
            self.process = None


RENDER_SECONDS = 300


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.communicate()


def _importable(name: str) -> bool:
    if name in sys.modules:
        return sys.modules[name] is not None
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def serve() -> None:
    """The helper process: import the libraries at once, then render the page it is sent."""
    import jinja2  # noqa: F401 - imported while the parent still writes the other outputs
    import matplotlib.figure  # noqa: F401

    page, charts = pickle.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(render(page, charts=charts).encode("utf-8", "surrogatepass"))


def render(page: Page, rich: bool = True, charts: bool = True) -> str:
    """The page as HTML: with Jinja2 (and, with ``charts``, matplotlib's charts) when installed
    and ``rich``, else plain."""
    if not rich:
        return plain(page, ONE_NOTE)
    if os.environ.get("GRADER_REPORT_PLAIN"):  # to see, or test, the page the extra's absence gives
        return plain(page)
    try:
        import jinja2
        import markupsafe
    except ImportError:
        return plain(page)
    svgs = svg_charts(page) if charts else None
    if svgs is None:
        page.notes.append(NO_CHARTS)
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    env.globals.update(outcome_colours=OUTCOME_COLOURS,
                       rows_html=lambda table, rows: markupsafe.Markup(rows_html(table, rows, markupsafe.escape)))
    template = env.from_string(TEMPLATE.read_text(encoding="utf-8"))
    return template.render(page=page, charts=svgs or {}, svg_of=lambda chart: (svgs or {})[id(chart)],
                           script=SCRIPT, csp=_csp(), markup=markupsafe.Markup)


def rows_html(table: Table, rows: list[list[Any]], escape: Callable[[object], str]) -> str:
    """One page of ``table``'s rows as ``<tr>`` elements, every text through ``escape``.

    Built here, not in the template: there, 10,000 students' rows of a dozen cells each took
    more time than the rest of the page together.
    """
    classes = [' class="n"' if i in table.numeric else "" for i in range(len(table.headers))]
    check = table.headers.index("check") if "check" in table.headers else -1
    lines = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            kind = classes[i] if i < len(classes) else ""
            if i == check and cell and not kind:
                kind = ' class="warn"'
            cells.append(f"<td{kind}>{_cell_html(cell, escape)}</td>")
        lines.append(f"<tr>{''.join(cells)}</tr>")
    return "\n".join(lines)


def _cell_html(cell: object, escape: Callable[[object], str]) -> str:
    if isinstance(cell, Link):
        return f'<a href="{escape(cell.href)}">{escape(cell.text)}</a>'
    if isinstance(cell, Strong):
        return f"<strong>{escape(cell.text)}</strong>"
    if isinstance(cell, Indented):
        return f'<span class="sub">{escape(cell.text)}</span>'
    if isinstance(cell, Bar):
        parts = "".join(f'<span style="flex:{int(count)};background:{escape(colour)}"></span>'
                        for _, count, colour in cell.parts())
        return f'<div class="bar" title="{escape(cell.text())}">{parts}</div>'
    return str(escape(cell))


def _csp() -> str:
    """Nothing may load; styles are inline; the one script runs by its hash."""
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
    return f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{digest}'"


# -- charts ---------------------------------------------------------------------------------------


def svg_charts(page: Page) -> dict[int, str] | None:
    """Each chart of the page as inline SVG, by ``id(chart)``; None without matplotlib."""
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError:
        return None
    found: dict[int, str] = {}
    with matplotlib.rc_context({"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False,
                                "axes.spines.right": False}):
        for number, chart in enumerate(c for s in page.sections for c in s.charts):
            with matplotlib.rc_context({"svg.hashsalt": f"chart{number}"}):
                figure = _histogram(Figure, chart) if isinstance(chart, Histogram) else _outcomes(Figure, chart)
                found[id(chart)] = _svg(figure)
    return found


def _histogram(figure_type: Any, chart: Histogram) -> Any:
    from matplotlib.ticker import MaxNLocator

    figure = figure_type(figsize=(6.4, 2.6), layout="constrained")
    axes = figure.add_subplot()
    top = max(chart.max_points, max(chart.values, default=0.0), 1.0)
    bins = int(top) + 1 if top <= 40 else 40
    axes.hist(chart.values, bins=bins, range=(0, top + (top / bins if top > 40 else 1)), color="#607d8b",
              edgecolor="white", align="left" if top <= 40 else "mid")
    axes.axvline(chart.mean, color="#c62828", linestyle="--", label=f"mean {chart.mean:.2f}")
    axes.axvline(chart.median, color="#1565c0", linestyle=":", label=f"median {chart.median:.2f}")
    axes.set_xlabel("automatic points")
    axes.set_ylabel("submissions")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(chart.title, loc="left")
    # Beside the axes, as the outcome chart's: inside, it would cover the bars at one end.
    axes.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return figure


def _outcomes(figure_type: Any, chart: OutcomeChart) -> Any:
    from matplotlib.ticker import MaxNLocator

    figure = figure_type(figsize=(6.4, 0.9 + 0.24 * max(len(chart.labels), 1)), layout="constrained")
    axes = figure.add_subplot()
    positions = range(len(chart.labels))
    left = [0] * len(chart.labels)
    for outcome, colour in OUTCOME_COLOURS.items():
        widths = [counts.get(outcome, 0) for counts in chart.counts]
        if any(widths):
            axes.barh(positions, widths, left=left, color=colour, label=outcome, height=0.7)
            left = [a + b for a, b in zip(left, widths, strict=True)]
    axes.set_yticks(list(positions), chart.labels)
    axes.invert_yaxis()
    axes.set_xlabel("submissions")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(chart.title, loc="left")
    axes.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return figure


def _svg(figure: Any) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    return _METADATA.sub("", text[text.index("<svg"):])


# -- the plain page -----------------------------------------------------------------------------


def plain(page: Page, note: str = PLAIN_NOTE) -> str:
    """The page without Jinja2 or matplotlib: the same sections as plain tables, every text escaped."""
    esc = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f'<meta http-equiv="Content-Security-Policy" content="{esc(_csp())}">',
             f"<title>{esc(page.title)}</title>",
             "<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;margin:.5em 0}"
             "td,th{border:1px solid #ccc;padding:2px 6px}td.n{text-align:right}</style></head><body>",
             f"<h1>{esc(page.title)}</h1>", f"<p><em>{esc(note)}</em></p>",
             "<p>" + "; ".join(f"{esc(k)}: {esc(v)}" for k, v in page.meta) + "</p>"]
    for section in page.sections:
        parts.append(f'<h2 id="{esc(section.id)}">{esc(section.title)}</h2>')
        parts += [f"<p>{esc(line)}</p>" for line in section.lines]
        for table in section.tables:
            parts += list(_plain_table(table))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _plain_table(table: Table) -> Iterator[str]:
    esc = html.escape
    yield f"<h3>{esc(table.caption)}</h3>"
    head = "".join(f"<th>{esc(h)}</th>" for h in table.headers)
    for number, (first, last, rows) in enumerate(table.pages()):
        if table.page_size and len(table.rows) > table.page_size:
            yield f"<details{' open' if number == 0 else ''}><summary>rows {first} to {last}</summary>"
        yield f"<table><thead><tr>{head}</tr></thead><tbody>"
        for row in rows:
            cells = "".join(f'<td{" class=n" if i in table.numeric else ""}>{_plain_cell(c)}</td>'
                            for i, c in enumerate(row))
            yield f"<tr>{cells}</tr>"
        yield "</tbody></table>"
        if table.page_size and len(table.rows) > table.page_size:
            yield "</details>"


def _plain_cell(cell: object) -> str:
    if isinstance(cell, Link):
        return f'<a href="{html.escape(cell.href)}">{html.escape(cell.text)}</a>'
    if isinstance(cell, Strong):
        return f"<strong>{html.escape(cell.text)}</strong>"
    if isinstance(cell, Indented):
        return f"&nbsp;&nbsp;{html.escape(cell.text)}"
    if isinstance(cell, Bar):
        return html.escape(cell.text())
    return html.escape(str(cell))
