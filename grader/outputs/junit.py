"""``junit.xml`` in the output folder, and ``--format junit``: the class as JUnit XML.

CI systems (GitLab, Jenkins, GitHub test reporters) show JUnit XML as test results. One
``<testsuite>`` per student, named by the student id; one ``<testcase>`` per rubric item,
named by the item, with ``classname`` ``<assignment>.<question>``:

- ``correct`` passes (and ``flagged`` when it kept every point: it is listed for review);
- ``wrong``, ``partial`` and ``missing`` are a ``<failure>`` whose message is the feedback;
- ``error`` and ``timeout`` are an ``<error>``;
- ``manual`` (a text item graded by hand) and ``not-gradable`` are ``<skipped>``, with why.

The points are in each suite's ``<properties>``: the totals (``points``, ``max_points``, the
manual ones, ``status``) and every item's ``<question>/<item>.points`` and ``.max_points``,
written as Python writes floats so that they read back exactly. Properties sit on the suite
because the JUnit schema CI tools validate against (Jenkins' ``junit-10.xsd``) has no
properties on a test case. A submission whose assignment could not be told has one test case,
``submission``, in error. Every text a student controls is escaped for XML (``escape.xml``).
"""

from __future__ import annotations

from typing import IO, TextIO
from xml.sax.saxutils import escape as escape_text
from xml.sax.saxutils import quoteattr

from grader import escape
from grader.outputs import RunInfo, register, register_file
from grader.report import ItemReport, SubmissionReport, points_text
from grader.store import AtomicFile

JUNIT = "junit.xml"
FAILURES = {"wrong", "partial", "missing"}
ERRORS = {"error", "timeout"}
SKIPPED = {"manual", "not-gradable"}


def number(value: float) -> str:
    """A float as text that reads back to the same float."""
    return repr(float(value))


def suite(report: SubmissionReport) -> str:
    """One student's ``<testsuite>``, as one line of XML. Written as text, every attribute
    through ``quoteattr`` and every text through ``escape`` (ElementTree cost three times as much
    for a class's thousands of elements)."""
    totals = {"assignment": report.assignment or "", "status": report.status, "points": number(report.points),
              "max_points": number(report.max_points), "manual_max_points": number(report.manual_max_points),
              "manual_points": number(report.manual_points),
              "pending_manual_points": number(report.pending_manual_points)}
    if report.error:
        totals["error"] = report.error
    properties = [_element("property", name=name, value=escape.xml(value)) for name, value in totals.items()]
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    cases = []
    for question, item in report.items():
        key = f"{question}/{item.name}"
        properties.append(_element("property", name=f"{key}.points", value=number(item.points)))
        properties.append(_element("property", name=f"{key}.max_points", value=number(item.max_points)))
        cases.append(_case(f"{report.assignment or 'unresolved'}.{question}", item, counts))
    if not report.questions:
        message = escape.xml(report.error or "")
        cases.append(_element("testcase", _element("error", escape_text(message), message=message, type="error"),
                              name="submission", classname=report.assignment or "unresolved"))
        counts["tests"] += 1
        counts["errors"] += 1
    if report.error:
        cases.append(_element("system-err", escape_text(escape.xml(report.error))))
    body = _element("properties", "".join(properties)) + "".join(cases)
    return _element("testsuite", body, name=escape.xml(report.student), **{k: str(n) for k, n in counts.items()},
                    time=f"{report.seconds:.3f}")


def _element(tag: str, inner: str = "", **attributes: str) -> str:
    """``<tag a="...">inner</tag>``; ``inner`` is markup already."""
    head = tag + "".join(f" {name}={quoteattr(value)}" for name, value in attributes.items())
    return f"<{head}>{inner}</{tag}>" if inner else f"<{head} />"


def _case(classname: str, item: ItemReport, counts: dict[str, int]) -> str:
    counts["tests"] += 1
    outcome = item.outcome.value
    feedback = escape.xml(item.feedback)
    text = escape_text(feedback)
    inner = ""
    if item.manual and outcome == "manual":
        entered = item.manual_points
        why = (f"graded by hand: {points_text(entered)} of {points_text(item.max_points)} points entered"
               if entered is not None else f"graded by hand: worth {points_text(item.max_points)} points, pending review")
        inner = _element("skipped", text, message=why, type="manual")
        counts["skipped"] += 1
    elif outcome in SKIPPED:
        inner = _element("skipped", text, message=feedback, type=outcome)
        counts["skipped"] += 1
    elif outcome in ERRORS:
        inner = _element("error", text, message=feedback, type=outcome)
        counts["errors"] += 1
    elif outcome in FAILURES or item.points < item.max_points:
        inner = _element("failure", text, message=feedback, type=outcome)
        counts["failures"] += 1
    elif outcome == "flagged":
        inner = _element("system-out", text)
    return _element("testcase", inner, name=escape.xml(item.name), classname=escape.xml(classname))


class _Writer:
    """A ``<testsuites>`` document, one suite at a time."""

    def __init__(self, stream: IO[str], info: RunInfo) -> None:
        self.stream = stream
        name = escape.xml(f"grader {info.header.assignment or 'class'}")
        stream.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name={quoteattr(name)}>\n')

    def add(self, report: SubmissionReport) -> None:
        self.stream.write("  " + suite(report) + "\n")

    def end(self) -> None:
        self.stream.write("</testsuites>\n")


@register_file(JUNIT)
class JUnitFile:
    """OUT/junit.xml."""

    def __init__(self, info: RunInfo) -> None:
        self.file = AtomicFile(info.out / JUNIT)
        self.writer = _Writer(self.file.handle, info)

    def add(self, report: SubmissionReport) -> None:
        self.writer.add(report)

    def close(self) -> None:
        self.writer.end()
        self.file.commit()

    def discard(self) -> None:
        self.file.discard()


@register("junit")
class JUnitStream:
    """``--format junit``: junit.xml on stdout."""

    def __init__(self, info: RunInfo, stream: TextIO) -> None:
        self.writer = _Writer(stream, info)

    def add(self, report: SubmissionReport) -> None:
        self.writer.add(report)

    def close(self) -> None:
        self.writer.end()
