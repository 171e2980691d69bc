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

import xml.etree.ElementTree as ET
from typing import IO, TextIO
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


def element(report: SubmissionReport) -> ET.Element:
    """One student's ``<testsuite>``."""
    suite = ET.Element("testsuite", name=escape.xml(report.student))
    properties = ET.SubElement(suite, "properties")
    totals = {"assignment": report.assignment or "", "status": report.status, "points": number(report.points),
              "max_points": number(report.max_points), "manual_max_points": number(report.manual_max_points),
              "manual_points": number(report.manual_points),
              "pending_manual_points": number(report.pending_manual_points)}
    if report.error:
        totals["error"] = report.error
    for name, value in totals.items():
        ET.SubElement(properties, "property", name=name, value=escape.xml(value))
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for question, item in report.items():
        key = f"{question}/{item.name}"
        ET.SubElement(properties, "property", name=f"{key}.points", value=number(item.points))
        ET.SubElement(properties, "property", name=f"{key}.max_points", value=number(item.max_points))
        suite.append(_case(f"{report.assignment or 'unresolved'}.{question}", item, counts))
    if not report.questions:
        case = ET.SubElement(suite, "testcase", name="submission", classname=report.assignment or "unresolved")
        ET.SubElement(case, "error", message=escape.xml(report.error or ""), type="error").text = \
            escape.xml(report.error or "")
        counts["tests"] += 1
        counts["errors"] += 1
    if report.error:
        ET.SubElement(suite, "system-err").text = escape.xml(report.error)
    suite.attrib.update({name: str(n) for name, n in counts.items()})
    suite.set("time", f"{report.seconds:.3f}")
    return suite


def _case(classname: str, item: ItemReport, counts: dict[str, int]) -> ET.Element:
    case = ET.Element("testcase", name=escape.xml(item.name), classname=escape.xml(classname))
    counts["tests"] += 1
    outcome = item.outcome.value
    feedback = escape.xml(item.feedback)
    if item.manual and outcome == "manual":
        entered = item.manual_points
        why = (f"graded by hand: {points_text(entered)} of {points_text(item.max_points)} points entered"
               if entered is not None else f"graded by hand: worth {points_text(item.max_points)} points, pending review")
        ET.SubElement(case, "skipped", message=why, type="manual").text = feedback
        counts["skipped"] += 1
    elif outcome in SKIPPED:
        ET.SubElement(case, "skipped", message=feedback, type=outcome).text = feedback
        counts["skipped"] += 1
    elif outcome in ERRORS:
        ET.SubElement(case, "error", message=feedback, type=outcome).text = feedback
        counts["errors"] += 1
    elif outcome in FAILURES or item.points < item.max_points:
        ET.SubElement(case, "failure", message=feedback, type=outcome).text = feedback
        counts["failures"] += 1
    elif outcome == "flagged":
        ET.SubElement(case, "system-out").text = feedback
    return case


class _Writer:
    """A ``<testsuites>`` document, one suite at a time."""

    def __init__(self, stream: IO[str], info: RunInfo) -> None:
        self.stream = stream
        name = escape.xml(f"grader {info.header.assignment or 'class'}")
        stream.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name={quoteattr(name)}>\n')

    def add(self, report: SubmissionReport) -> None:
        self.stream.write("  " + ET.tostring(element(report), encoding="unicode") + "\n")

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
