"""A submission's content, normalised so that copies that differ only in comments and spacing
hash alike: report.html lists such groups for an instructor to review (never to score).

Comments are dropped, runs of spaces and tabs become one space, lines are stripped and blank
lines removed; string literals on a line are kept (a ``#`` inside one is not a comment). A notebook
counts by its code cells, a folder by all its files. It runs in the parent on hostile text,
so it is a few linear regular expressions over at most ``MAX_CHARS`` characters, never a
parse: an unterminated string runs to the end of its line (or, triple-quoted, of the text),
and the rest of a long submission is hashed as it is.
"""

from __future__ import annotations

import hashlib
import re

from grader.load import Submission

MAX_CHARS = 1 << 20  # characters normalised per submission; the rest is hashed raw
_STRING_OR_COMMENT = re.compile(
    r"""(?P<s>[rRbBuUfF]{0,2}(?:'''(?:[^\\]|\\.)*?(?:'''|\Z)|\"\"\"(?:[^\\]|\\.)*?(?:\"\"\"|\Z)"""
    r"""|'(?:[^'\\\n]|\\.)*(?:'|$)|"(?:[^"\\\n]|\\.)*(?:"|$)))|\#[^\n]*""", re.M | re.S)


def normalized(code: str) -> str:
    """``code`` without comments, blank lines or differences of spacing, line by line: only a
    line that holds both a ``#`` and a quote goes through the pattern that tells strings from
    comments (a line inside a multi-line string is read as code, which only a hash sees)."""
    kept = []
    for line in code.splitlines():
        text = line.strip()
        if not text or text[0] == "#":
            continue
        if "#" in text:
            if "'" in text or '"' in text:
                text = _STRING_OR_COMMENT.sub(r"\g<s>", text)  # a comment matches without group s: removed
            else:
                text = text[:text.index("#")]
        text = " ".join(text.split())
        if text:
            kept.append(text)
    return "\n".join(kept)


def similarity_hash(sub: Submission) -> str:
    """The hash of ``sub``'s normalised code and of its other files as they are."""
    digest = hashlib.sha256()
    budget = MAX_CHARS
    for name in sorted(sub.files):
        code = _code(sub, name)
        if code is None:
            digest.update(b"F" + name.encode("utf-8", "replace") + b"\0" + hashlib.sha256(sub.files[name]).digest())
            continue
        head, rest = code[:budget], code[budget:]
        budget -= len(head)
        digest.update(b"C" + normalized(head).encode("utf-8", "replace") + b"\0" + rest.encode("utf-8", "replace"))
    return digest.hexdigest()


def _code(sub: Submission, name: str) -> str | None:
    """The code of one file, or None for a file compared as it is (data, a notebook not read)."""
    if name == sub.entry and sub.cells:
        return "\n".join(cell.source for cell in sub.cells)  # code and %%writefile cells
    if name.endswith(".py"):
        return sub.files[name].decode("utf-8", "replace")
    return None
