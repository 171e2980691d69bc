"""``report.html``: the instructor's view of a class, one self-contained page written on every run.

Fed one report at a time, it keeps only counters and a compact row per student
(``_classstats``), and at ``close`` turns them into sections of tables and charts that
``_page`` renders: with Jinja2 and matplotlib (the ``report`` extra) as a page with SVG
charts, or without them as plain tables and a note. Everything a student wrote (ids, error
messages) reaches the page as escaped text only.
"""

from __future__ import annotations

import urllib.parse
from collections import Counter
from dataclasses import dataclass, field

from grader.outputs import RunInfo, register_file
from grader.outputs._classstats import AssignmentStats, ItemStats, StudentRow, Tally
from grader.outputs._page import (
    Bar,
    Histogram,
    Indented,
    Link,
    OutcomeChart,
    Page,
    Renderer,
    Section,
    Strong,
    Table,
)
from grader.report import SubmissionReport, points_text
from grader.store import atomic_write

PAGE = "report.html"
PAGE_SIZE = 250  # students per page of a student table
MAX_LISTED = 50  # names listed in one cell (an error group, a group of identical submissions)
MAX_CHANGES = 2000
CREDIT_WORDS = {0.0: "no credit", 0.5: "half credit", 1.0: "full credit"}


@dataclass
class Similar:
    """Submissions that share a normalised content hash."""

    members: list[tuple[str, str, float]] = field(default_factory=list)  # student, assignment, total


@register_file(PAGE)
class HtmlReport:
    """OUT/report.html, written at ``close`` (nothing is written before: a failed run leaves the old one)."""

    def __init__(self, info: RunInfo) -> None:
        self.info = info
        self.assignments: dict[str, AssignmentStats] = {}
        self.errors: dict[str, list[str]] = {}
        self.error_count: Counter[str] = Counter()
        self.similar: dict[str, Similar] = {}
        self.found = self.graded = self.not_gradable = 0
        self.renderer = Renderer(rich=info.students > 1)

    def add(self, report: SubmissionReport) -> None:
        self.found += 1
        self.graded += report.status == "graded"
        self.not_gradable += report.not_gradable_points > 0
        name = report.assignment if report.questions else None
        stats = self.assignments.get(name or "")
        if stats is None:
            stats = self.assignments[name or ""] = AssignmentStats.of(report)
        stats.add(report)
        kind = stats.rows[-1].reason
        if kind:
            self.error_count[kind] += 1
            listed = self.errors.setdefault(kind, [])
            if len(listed) < MAX_LISTED:
                listed.append(report.student)
        if report.similarity_hash:
            self.similar.setdefault(report.similarity_hash, Similar()).members.append(
                (report.student, report.assignment or "", report.total))

    def close(self) -> None:
        atomic_write(self.info.out / PAGE, self.renderer.render(self.page(), rich=self.found > 1), durable=True)

    def discard(self) -> None:
        self.renderer.close()

    def page(self) -> Page:
        """The page's sections, from what was gathered."""
        header = self.info.header
        meta = [("grader", header.grader_version), ("seed", str(header.seed)), ("sandbox", header.sandbox),
                ("torch", "installed" if header.torch else "not installed"), ("finished", header.created)]
        meta += [(f"rubric {name}", digest) for name, digest in sorted(self.info.rubrics.items())]
        ordered = [self.assignments[k] for k in sorted(self.assignments, key=lambda k: (k == "", k))]
        sections = [self._overview(ordered), *(self._assignment(s) for s in ordered if s.questions),
                    self._conventions(ordered), self._students(ordered), self._similar(),
                    self._pending(ordered)]
        if self.info.changes is not None:
            sections.insert(1, self._changes())
        return Page(title="Grading report", meta=meta, sections=[s for s in sections if s is not None])

    # -- sections ---------------------------------------------------------------------------------

    def _overview(self, ordered: list[AssignmentStats]) -> Section:
        errors = sum(self.error_count.values())
        lines = [f"{self.found} submissions found: {self.graded} graded, {errors} with status error, "
                 f"{self.not_gradable} with parts not gradable here (torch not installed)."]
        charts: list[Histogram | OutcomeChart] = []
        for stats in ordered:
            if stats.questions and stats.totals:
                mean = sum(stats.totals) / len(stats.totals)
                lines.append(f"{stats.name}: {len(stats.totals)} submissions, automatic total mean "
                             f"{points_text(mean)}, median {points_text(stats.median())} of "
                             f"{points_text(stats.max_points)}.")
                charts.append(Histogram(f"{stats.name}: automatic totals", stats.totals, stats.max_points, mean,
                                        stats.median()))
        tables = []
        if self.error_count:
            rows = [[kind, str(count), _names(self.errors[kind], count)] for kind, count in self.error_count.most_common()]
            tables.append(Table("Submissions with status error, by reason", ["reason", "students", "who"], rows,
                                numeric=(1,)))
        return Section("overview", "Class overview", lines, charts, tables)

    def _assignment(self, stats: AssignmentStats) -> Section:
        index = stats.discrimination()
        ran = len(stats.ranked)
        lines = [f"Over the {ran} submissions of {stats.name} with status graded (errors are left out). "
                 "Discrimination: the share at full marks in the stronger half of the class (by automatic total) "
                 "minus the share in the weaker half, from -1 to 1; at 0 or below, or when everyone or no one "
                 "gets full marks, the item does not separate the two halves: check it."]
        rows = []
        for question in stats.questions:
            rows.append(_stat_row(Strong(question.id), question.tally, question.manual_max_points,
                                  index.get(question.id), items=question.items))
            rows += [_stat_row(Indented(item.name), item.tally, 0.0, index.get(item.key), item=item)
                     for item in question.items]
        table = Table(f"{stats.name}: questions and items", ["question / item", "points", "mean", "full", "partial",
                                                             "zero", "outcomes", "discrimination", "check"],
                      rows, numeric=(1, 2, 3, 4, 5, 7), legend=True)
        items = [i for q in stats.questions for i in q.items if not i.manual]
        chart = OutcomeChart(f"{stats.name}: outcomes per item", [i.key for i in items],
                             [dict(i.tally.outcomes) for i in items])
        return Section(f"assignment-{stats.name}", f"Questions of {stats.name}", lines, [chart], [table])

    def _conventions(self, ordered: list[AssignmentStats]) -> Section | None:
        matched, failing = [], []
        for stats in ordered:
            for item in (i for q in stats.questions for i in q.items):
                runs = item.tally.n
                for name, count in item.conventions.most_common():
                    credit = item.credit.get(name, 0.0)
                    words = CREDIT_WORDS.get(round(credit, 6), f"{credit:.0%} credit")
                    matched.append([stats.name, item.key, name, str(count), _share(count, runs), words])
                if item.reasons:
                    failing.append([stats.name, item.key, str(sum(item.reasons.values())),
                                    " · ".join(f"{r} {c}" for r, c in item.reasons.most_common(4))])
        if not matched and not failing:
            return None
        tables = []
        if matched:
            tables.append(Table("Named conventions matched (the rubric's alternates)",
                                ["assignment", "item", "convention", "students", "share", "credit"], matched,
                                numeric=(3, 4)))
        if failing:
            tables.append(Table("Why items lost points, most common first",
                                ["assignment", "item", "short of full marks", "reasons"], failing, numeric=(2,)))
        return Section("conventions", "Conventions and mistakes", [], [], tables)

    def _students(self, ordered: list[AssignmentStats]) -> Section:
        tables = []
        for stats in ordered:
            questions = [q.id for q in stats.questions]
            headers = ["student", "status", "automatic", "of", "manual pending", "manual", "total", *questions,
                       "reason"]
            rows = [_student_row(r) for r in stats.rows]
            title = stats.name if stats.questions else "submissions whose assignment could not be told"
            tables.append(Table(title, headers, rows, numeric=tuple(range(2, 7 + len(questions))),
                                page_size=PAGE_SIZE, searchable=True))
        lines = ["Each student's name links to their feedback file. Long classes are split into pages of "
                 f"{PAGE_SIZE}; the grade sheets (grades*.csv) hold the same rows."]
        return Section("students", "Students", lines, [], tables)

    def _similar(self) -> Section:
        groups = sorted((g for g in self.similar.values() if len(g.members) > 1), key=lambda g: -len(g.members))
        rows = []
        for number, group in enumerate(groups, start=1):
            totals = sorted({t for _, _, t in group.members})
            shown = ", ".join(points_text(t) for t in totals[:5]) + (", …" if len(totals) > 5 else "")
            rows.append([str(number), group.members[0][1] or "unresolved", str(len(group.members)),
                         _names([m[0] for m in group.members[:MAX_LISTED]], len(group.members)), shown])
        lines = ["Submissions whose code is the same once comments, blank lines and spacing are set aside "
                 "(notebooks by their code cells). Listed for review only: this never changes a score."]
        if not rows:
            lines.append("No two submissions are identical in this sense.")
        table = Table("Groups of identical submissions", ["group", "assignment", "students", "who", "totals"], rows,
                      numeric=(0, 2), page_size=PAGE_SIZE)
        return Section("identical", "Identical submissions", lines, [], [table] if rows else [])

    def _pending(self, ordered: list[AssignmentStats]) -> Section:
        rows, at_stake, items = [], 0.0, Counter[str]()
        for stats in ordered:
            for row in stats.rows:
                if row.pending_items:
                    at_stake += sum(p for _, p in row.pending_items)
                    items.update(k for k, _ in row.pending_items)
                    rows.append([_feedback_link(row), stats.name, ", ".join(f"{k} ({points_text(p)})"
                                                                         for k, p in row.pending_items),
                                 points_text(sum(p for _, p in row.pending_items))])
        if not rows:
            return Section("pending", "Pending manual work", ["No text item awaits a score."], [], [])
        lines = [f"{len(rows)} students have text items awaiting a score, {points_text(at_stake)} points in all. "
                 "Enter them with `grader manual OUT --student ID --item QUESTION/NAME --points P`."]
        by_item = Table("By item", ["item", "students"], [[k, str(c)] for k, c in sorted(items.items())],
                        numeric=(1,))
        table = Table("By student", ["student", "assignment", "items (points)", "points at stake"], rows,
                      numeric=(3,), page_size=PAGE_SIZE, searchable=True)
        return Section("pending", "Pending manual work", lines, [], [by_item, table])

    def _changes(self) -> Section:
        changes = self.info.changes
        assert changes is not None
        moved = changes.moved()
        rows = [[c.student, _total(c.before), _total(c.after), c.causes_text(6)] for c in moved[:MAX_CHANGES]]
        others = len(changes.changes) - len(moved)
        whose = "student's total" if changes.compared == 1 else "students' totals"
        lines = [f"{len(moved)} of {changes.compared} {whose} changed since the report this run replaced"
                 + (f"; {others} more have changed outcomes with the same total" if others else "") + "."]
        if len(moved) > MAX_CHANGES:
            lines.append(f"The first {MAX_CHANGES} are listed; `grader diff` lists them all.")
        table = Table("Totals changed by this re-grade", ["student", "before", "after", "items that moved it"], rows,
                      numeric=(1, 2), page_size=PAGE_SIZE, searchable=True)
        return Section("changes", "Changes since the previous run", lines, [], [table] if rows else [])


# -- cells --------------------------------------------------------------------------------------


def _stat_row(label: object, tally: Tally, manual_max: float, index: float | None, *,
              item: ItemStats | None = None, items: list[ItemStats] | None = None) -> list[object]:
    """A question's or an item's row: points, shares, outcomes, discrimination and a warning."""
    if item is not None and item.manual:
        return [label, points_text(item.tally.max_points), "", "", "", "", f"graded by hand; {item.pending} pending",
                "", ""]
    outcomes: Counter[str] = Counter()
    for part in items or ([item] if item else []):
        if not part.manual:
            outcomes.update(part.tally.outcomes)
    possible = points_text(tally.max_points) + (f" + {points_text(manual_max)} by hand" if manual_max else "")
    if not tally.max_points:
        return [label, possible, "", "", "", "", "", "", ""]
    return [label, possible, points_text(tally.mean) if tally.n else "", _share(tally.full, tally.n),
            _share(tally.partial, tally.n), _share(tally.zero, tally.n), Bar(dict(outcomes)),
            "" if index is None else f"{index:+.2f}", _flag(tally, index)]


def _flag(tally: Tally, index: float | None) -> str:
    if not tally.n:
        return ""
    if tally.full == tally.n:
        return "everyone got full marks"
    if tally.full == 0:
        return "no one got full marks"
    if index is not None and index <= 0:
        return "does not separate"
    return ""


def _share(count: int, n: int) -> str:
    return f"{count / n:.0%}" if n else ""


def _names(names: list[str], count: int) -> str:
    more = count - len(names)
    return ", ".join(names) + (f", and {more} more" if more > 0 else "")


def _total(total: float | None) -> str:
    return "absent" if total is None else points_text(total)


def _feedback_link(row: StudentRow) -> Link | str:
    if not row.feedback_file:
        return row.student
    return Link(row.student, urllib.parse.quote(row.feedback_file, safe="/"))


def _student_row(row: StudentRow) -> list[object]:
    return [_feedback_link(row), row.status, points_text(row.points), points_text(row.max_points),
            points_text(row.pending), points_text(row.manual), points_text(row.total), *row.questions, row.reason]

