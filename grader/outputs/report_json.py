"""report.json, written from the report models (``grader.report.RunReport``), and ``--format json``."""

from __future__ import annotations

from typing import IO, TextIO

from grader.outputs import RunInfo, register, register_file
from grader.report import RunHeader, SubmissionReport
from grader.store import AtomicFile

REPORT = "report.json"


class _Writer:
    """A RunReport document, one submission at a time: the header's fields, then the list."""

    def __init__(self, stream: IO[str], header: RunHeader) -> None:
        self.stream = stream
        self.count = 0
        head = header.model_dump_json(indent=2)
        stream.write(head[: head.rindex("\n}")] + ',\n  "submissions": [\n')

    def add(self, report: SubmissionReport) -> None:
        self.stream.write((",\n" if self.count else "") + "    " + report.model_dump_json())
        self.count += 1

    def end(self) -> None:
        self.stream.write("\n  ]\n}\n")


@register_file(REPORT)
class ReportFile:
    """OUT/report.json."""

    def __init__(self, info: RunInfo) -> None:
        self.file = AtomicFile(info.out / REPORT)
        self.writer = _Writer(self.file.handle, info.header)

    def add(self, report: SubmissionReport) -> None:
        self.writer.add(report)

    def close(self) -> None:
        self.writer.end()
        self.file.commit()

    def discard(self) -> None:
        self.file.discard()


@register("json")
class ReportStream:
    """``--format json``: report.json on stdout, for pipelines."""

    def __init__(self, info: RunInfo, stream: TextIO) -> None:
        self.writer = _Writer(stream, info.header)

    def add(self, report: SubmissionReport) -> None:
        self.writer.add(report)

    def close(self) -> None:
        self.writer.end()
