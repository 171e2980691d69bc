"""Making text that came from a submission inert in each place it is shown.

File names, exception messages, values and dict keys all come from students, and each
output reads them differently: a terminal obeys escape sequences, a spreadsheet evaluates a
cell that starts with ``=``, Markdown and HTML turn text into markup. Every writer passes
what it shows through the function for its medium.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>&~=:\"'$])")


def visible(text: str) -> str:
    """Control and direction-changing characters as escapes (``\\x1b``): safe in a terminal and
    on one line."""
    return _CONTROL.sub(lambda m: _escape(m.group()), text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def cell(text: str) -> str:
    """A spreadsheet cell that stays text: visible characters only, no formula."""
    shown = visible(text)
    return f"'{shown}" if shown.startswith(_FORMULA_START) else shown


def markdown(text: str) -> str:
    """Text for a Markdown line: every character Markdown or HTML could read as markup escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", visible(text))


def code(text: str) -> str:
    """Text as an inline code span, which Markdown never reads as markup: delimited by more
    backticks than any run inside it, on one line."""
    shown = visible(text)
    longest = max((len(run) for run in re.findall(r"`+", shown)), default=0)
    tick = "`" * (longest + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") or not shown.strip() else ""
    return f"{tick}{pad}{shown}{pad}{tick}"


def fenced(text: str, indent: str = "") -> str:
    """A block of plain text that Markdown shows as it is, whatever it holds: a fence longer
    than any run of backticks inside."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    lines = [visible(line) for line in text.splitlines()] or [""]
    return "\n".join(f"{indent}{line}" for line in [f"{fence}text", *lines, fence])


def terminal(text: str) -> str:
    """``visible`` text that a CI log cannot read as a workflow command either: GitHub Actions
    obeys a line that starts with ``::`` and, anywhere in a line, the legacy ``##[command]``."""
    return visible(text).replace("::", ":\\x3a").replace("##[", "##\\x5b")


# What ``visible`` escapes, but the line feed, and what XML 1.0 cannot hold: lone surrogates
# (undecodable bytes) and U+FFFE, U+FFFF.
_NOT_XML = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069"
                      "\ud800-\udfff\ufffe\uffff]")


def xml(text: str) -> str:
    """Text that XML 1.0 can hold, lines kept: control characters, bidi controls and the lone
    surrogates of undecodable bytes as escapes (the markup itself is escaped by the writer)."""
    return _NOT_XML.sub(lambda m: _escape(m.group()), text)


def workflow_data(text: str) -> str:
    """The message of a GitHub Actions workflow command, by GitHub's rules (``%``, CR and LF
    encoded): it stays on the command's line whatever it holds. Lines are kept, each visible,
    and the lone surrogates of undecodable bytes are escapes too."""
    return xml("\n".join(text.splitlines())).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(text: str) -> str:
    """A property value of a workflow command (``file=``, ``title=``): also ``:`` and ``,``."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")
