"""backprop-grader: an isolated, fast autograder for three backpropagation homeworks.

Students use :func:`check` from a notebook cell; instructors use the ``grader`` command.
"""

from grader._version import __version__

__all__ = ["__version__", "check"]


def check(question: str | None = None) -> None:
    """Self-test the calling notebook's live namespace and print what to fix; never shows an answer.

    Returns nothing, so that a notebook cell shows the printed checklist alone.
    """
    from grader.checklist import check_namespace

    check_namespace(question)
