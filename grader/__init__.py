"""backprop-grader: an isolated, fast autograder for three backpropagation homeworks.

Students use :func:`check` from a notebook cell; instructors use the ``grader`` command.
"""

from grader._version import __version__

__all__ = ["__version__", "check"]


def check(question: str | None = None) -> bool:
    """Self-test the calling notebook's live namespace; never shows an answer."""
    from grader.checklist import check_namespace

    return check_namespace(question)
