"""What each hostile case of the corpus must (and must not) get, as data.

Outcomes are given per item key ``question/name``. A case starts from a base:

- ``reference``: every automatic item correct, the two text items pending manual review;
- ``q1-only``: Question 1 as the reference, every Question 2 item missing;
- ``template``: every item missing, as the blank template;
- ``all-error``: every item "error" (the file was read, but could not be run at all);
- ``unloadable``: no item is checked (the report may list none).

``changed`` lists the items whose outcome differs from the base; a tuple allows several.
``bugs`` lists items on which a known grader bug gives another outcome; the value is the
outcome the item should get. Those items are checked by strict xfail tests, and the case's
other items by ordinary tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.hostile._support import AUTOMATIC, POINTS, QUESTION_1, TEXT_ITEMS, item_points, outcomes

Outcomes = dict[str, str | tuple[str, ...]]


@dataclass(frozen=True)
class Expect:
    status: str = "graded"
    base: str = "reference"
    changed: Outcomes = field(default_factory=dict)
    bugs: dict[str, str] = field(default_factory=dict)
    error_has: str = ""
    namespaces: bool = False  # only holds inside the sandbox's namespaces (bwrap)
    unsandboxed: Expect | None = None  # what holds instead without them, where it differs

    def in_mode(self, namespaces: bool) -> Expect:
        return self if namespaces or self.unsandboxed is None else self.unsandboxed

    def outcomes(self) -> Outcomes:
        """Every item's expected outcome, bug items with the outcome they should have."""
        if self.base == "unloadable":
            return {}
        if self.base == "reference":
            base: Outcomes = {k: ("manual" if k in TEXT_ITEMS else "correct") for k in POINTS}
        elif self.base == "q1-only":
            base = {k: ("manual" if k in TEXT_ITEMS else "correct") if k in QUESTION_1 else "missing"
                    for k in POINTS}
        elif self.base == "template":
            base = dict.fromkeys(POINTS, "missing")
        elif self.base == "all-error":
            base = dict.fromkeys(POINTS, "error")
        else:
            raise ValueError(self.base)
        return {**base, **self.changed, **self.bugs}

    def points(self) -> float:
        """The automatic points the case deserves: those of the items expected correct."""
        return sum(POINTS[k] for k, o in self.outcomes().items()
                   if (o == "correct" or (isinstance(o, tuple) and "correct" in o)) and k in AUTOMATIC)


CASES: dict[str, Expect] = {
    # -- time limits ------------------------------------------------------------------------
    "loop_at_import": Expect(status="error", base="q1-only", error_has="timed out"),
    "loop_in_grad_W": Expect(changed={"q1a/grad_W": "timeout"}),
    "loop_ignoring_alarm": Expect(changed={"q1b/l2_step": "timeout"}),
    "sleep_forever": Expect(changed={"q2c/regression_grads": "timeout"}),
    "swallow_timeout": Expect(changed={"q1a/grad_W": "timeout"}),
    # The worker is out of the run's reach in the sandbox: the stop lands on the run itself,
    # pid 1 of its namespace, which ignores it.
    "stop_worker": Expect(),
    # -- resources ----------------------------------------------------------------------------
    "deep_recursion": Expect(changed={"q2b/Q2B_GRADS": "wrong", "q2b/classification_grads": "error",
                                      "q2c/regression_grads": "error"}),
    "memory_bomb": Expect(changed={"q1b/l2_step": "error"}),
    "huge_stdout": Expect(),
    "huge_file": Expect(changed={"q1a/grad_W": "error"}),
    "huge_return": Expect(changed={"q1a/grad_W": ("error", "wrong"), "q1b/l2_step": ("error", "wrong")}),
    "flood_result_pipe": Expect(changed={"q2b/classification_grads": "error"}),
    # -- ending the process -----------------------------------------------------------------
    "sys_exit_import": Expect(status="error", base="q1-only", error_has="SystemExit"),
    "os_exit_import": Expect(status="error", base="template", error_has="exited with code 0"),
    # In the sandbox a run's process is pid 1 of its own pid namespace, and a signal it sends
    # itself without a handler is ignored: its self-kill does nothing (see grader.sandbox.namespaces).
    "sigkill_import": Expect(unsandboxed=Expect(status="error", base="template", error_has="SIGKILL")),
    "sys_exit_in_function": Expect(changed={"q1a/grad_W": "error"}),
    "os_exit_in_function": Expect(changed={"q1b/l2_step": "error"}),
    "sigkill_in_function": Expect(changed={"q2c/regression_grads": "wrong"},
                                  unsandboxed=Expect(changed={"q2c/regression_grads": "error"})),
    "kill_all_in_function": Expect(changed={"q2b/classification_grads": "error"}),
    # -- processes that outlive the submission ------------------------------------------------
    "orphan_setsid": Expect(),
    "orphan_double_fork": Expect(),
    # The orphan cases answer right only after seeing their sleeper run (see the corpus).
    "orphan_kill_worker": Expect(changed={"q2c/regression_grads": "timeout"},
                                 unsandboxed=Expect(changed={"q2c/regression_grads": "error"})),
    # -- forged reports and tampering ---------------------------------------------------------
    "fake_report_print": Expect(base="template"),
    "fake_report_files": Expect(base="template"),
    "monkeypatch_grader": Expect(base="template", changed=dict.fromkeys(POINTS, ("wrong", "missing", "error"))),
    "monkeypatch_numpy": Expect(base="template", changed=dict.fromkeys(POINTS, ("wrong", "missing", "error"))),
    # Inputs of a pure item are read-only: an in-place update raises, whatever the child patches.
    "impure_l2_step": Expect(changed={"q1b/l2_step": ("wrong", "error")}),
    "impure_l2_step_patched": Expect(changed={"q1b/l2_step": ("wrong", "error")}),
    "impure_l2_step_patched_harness": Expect(changed={"q1b/l2_step": ("wrong", "error")}),
    "custom_eq": Expect(
        changed={k: "wrong" for k in ("q1a/grad_W", "q1b/Q1B_W_NEW", "q2a/Q2A_MAX", "q2a/Q2A_INF_ATTAINED",
                                      "q2b/Q2B_GRADS", "q2b/Q2B_TREND", "q2c/regression_grads",
                                      "q2d/Q2D_GRADS", "q2a/Q2A_ARGMAX", "q2a/Q2A_INF")}),
    "nan_inf": Expect(changed={k: "wrong" for k in ("q1b/Q1B_W_NEW", "q2a/sigmoid_prime", "q2a/Q2A_MAX",
                                                    "q2a/Q2A_ARGMAX", "q2b/classification_grads",
                                                    "q2d/Q2D_GRADS")}),
    # -- reaching outside the submission (needs the sandbox's namespaces) -------------------
    "search_solutions": Expect(base="template", namespaces=True),
    "read_other_students": Expect(base="template", namespaces=True),
    "network": Expect(base="template", namespaces=True),
    # -- unreadable files ---------------------------------------------------------------------
    # A syntax error may be found before the run (every item "error") or by it (all missing).
    "syntax_error": Expect(status="error", base="all-error", error_has="syntax",
                           changed=dict.fromkeys(POINTS, ("error", "missing"))),
    "bad_encoding": Expect(status="error", base="unloadable", error_has="0xff"),
    "empty": Expect(status="error", base="unloadable", error_has="no assignment"),
    "not_json": Expect(status="error", base="unloadable", error_has="not valid JSON"),
    "not_nbformat": Expect(status="error", base="unloadable"),
    # -- made by the test at run time -----------------------------------------------------------
    "honest_correct": Expect(),
    "honest_partial": Expect(changed={"q2b/Q2B_GRADS": "wrong"}),
    "zipped_correct": Expect(),
    "symlink_to_reference": Expect(status="error", base="unloadable", error_has="symbolic link"),
    "symlink_in_folder": Expect(status="error", base="template"),
    "symlink_dir_in_folder": Expect(status="error", base="template"),
    "oversized": Expect(status="error", base="unloadable", error_has="larger than"),
}

HONEST = ("honest_correct", "honest_partial")
ORPHAN_CASES = ("orphan_setsid", "orphan_double_fork", "orphan_kill_worker")

# Cases cheap enough for the fast (not slow) run: no time limit is waited for.
FAST_CASES = ("custom_eq", "fake_report_print", "monkeypatch_grader", "nan_inf", "sys_exit_in_function",
              "os_exit_in_function", "memory_bomb", "impure_l2_step", "syntax_error", "not_json")


def check_case(case: str, sub: dict[str, Any], *, namespaces: bool = True) -> None:
    """Assert ``sub``'s status, outcomes and points; the items of known bugs are left out."""
    expect = CASES[case].in_mode(namespaces)
    assert sub["status"] == expect.status, sub["error"]
    if expect.error_has:
        assert expect.error_has.lower() in (sub["error"] or "").lower()
    got = outcomes(sub)
    checked = {k: v for k, v in expect.outcomes().items() if k not in expect.bugs}
    wrong = {k: (got.get(k), v) for k, v in checked.items()
             if got.get(k) not in ((v,) if isinstance(v, str) else v)}
    assert not wrong, f"{case}: items with another outcome (got, expected): {wrong}"
    bug_points = sum(item_points(sub).get(k, 0.0) for k in expect.bugs)
    deserved_on_bugs = sum(POINTS[k] for k, o in expect.bugs.items() if o == "correct")
    # Where several outcomes are allowed, the one the item got decides whether it earns points.
    not_earned = sum(POINTS[k] for k, v in checked.items()
                     if isinstance(v, tuple) and "correct" in v and got.get(k) != "correct" and k in AUTOMATIC)
    assert sub["points"] - bug_points == expect.points() - deserved_on_bugs - not_earned
    if expect.base == "unloadable":
        assert sub["points"] == 0
