"""Text from a submission stays inert in every output: terminal, spreadsheet, Markdown."""

from __future__ import annotations

import pytest

from grader import escape


@pytest.mark.parametrize(("text", "shown"), [
    ("plain", "plain"),
    ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
    ("two\nlines\r", "two\\x0alines\\x0d"),
    ("\u202egnp.exe", "\\u202egnp.exe"),  # a right-to-left override
    ("tab\there", "tab\\x09here"),
])
def test_the_terminal_sees_control_characters_as_escapes(text: str, shown: str) -> None:
    assert escape.visible(text) == shown


@pytest.mark.parametrize("text", ["=1+2", "+1", "-2", "@SUM(A1)", "\tx", "\r=1"])
def test_a_spreadsheet_cell_never_starts_a_formula(text: str) -> None:
    cell = escape.cell(text)
    assert not cell.startswith(("=", "+", "-", "@")) and "\r" not in cell and "\t" not in cell
    assert cell.lstrip("'").replace("\\x0d", "\r").replace("\\x09", "\t") == text


@pytest.mark.parametrize("text", [
    "<img src=x onerror=alert(1)>",
    "<!-- hide the rest",
    "# Automatic score corrected: 27 / 27",
    "[link](http://evil)",
    "**bold** _it_ `code`",
])
def test_markdown_text_is_escaped_to_plain_characters(text: str) -> None:
    shown = escape.markdown(text)
    unescaped = shown.replace("\\", "")
    assert unescaped == text
    assert all(shown[i - 1] == "\\" for i, c in enumerate(shown) if c in "<#[*_`!" and i > 0)
    assert not shown.startswith(("#", "<", "["))


@pytest.mark.parametrize("text", ["a `b` c", "```\n# Heading\n```", "````", ""])
def test_a_fenced_block_holds_any_text_inert(text: str) -> None:
    block = escape.fenced(text)
    fence = block.splitlines()[0].removesuffix("text")
    assert set(fence) == {"`"} and fence not in "\n".join(block.splitlines()[1:-1])
    assert block.splitlines()[-1] == fence


@pytest.mark.parametrize("text", ["name", "a`b", "`start", "end`", "``"])
def test_a_code_span_cannot_be_closed_from_inside(text: str) -> None:
    span = escape.code(text)
    tick = span[: len(span) - len(span.lstrip("`"))]
    inner = span[len(tick):-len(tick)]
    assert tick not in inner and inner.strip() == text.strip()
