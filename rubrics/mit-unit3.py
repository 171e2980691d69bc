"""The profile of mit-unit3: self-test checks that the values a student reports agree with their
own functions (page 3's checks come with the included mit-backprop profile).

Loaded by the grader next to ``mit-unit3.toml`` (see ``grader.profile``). Its checks use only what
the homework states, never the reference solver, and report pass or fail and a next step, never a value.
"""

from __future__ import annotations

from grader.profile import Profile
from grader.selfcheck import (
    CheckResult,
    Namespace,
    SelfCheck,
    Tolerance,
    consistent,
    evaluated,
    function,
    verdict,
)

PAGE_X = (3.0, 14.0)
PAGE_SEQUENCES = {"LSTM_STATES_1": [0, 0, 1, 1, 1, 0], "LSTM_STATES_2": [1, 1, 0, 1, 1]}


def _feed_forward_o(ns: Namespace, impl: Namespace, tolerance: Tolerance) -> CheckResult:
    f = function(ns, "feed_forward")
    if f is None or ns.get("FEED_FORWARD_O") is None:
        return None, "FEED_FORWARD_O and feed_forward are needed for this check"
    try:
        reported = evaluated(ns["FEED_FORWARD_O"])
    except ValueError:
        return False, "FEED_FORWARD_O holds a string that is not a valid expression: see its line above."
    return verdict(consistent(f(list(PAGE_X)), reported, tolerance),
                   "FEED_FORWARD_O equals your feed_forward((3, 14)) to the 9 decimals asked",
                   "Recompute FEED_FORWARD_O with your function, or fix whichever is wrong.")


def _states(name: str) -> SelfCheck:
    def run(ns: Namespace, impl: Namespace, tolerance: Tolerance) -> CheckResult:
        f = function(ns, "lstm_states")
        if f is None or ns.get(name) is None:
            return None, f"{name} and lstm_states are needed for this check"
        xs = PAGE_SEQUENCES[name]
        return verdict(consistent(f(list(xs)), ns[name], tolerance),
                       f"{name} equals your lstm_states({xs})",
                       "Recompute it with your function, or fix whichever is wrong.")
    return SelfCheck("lstm-states", f"{name} consistency", run, compares=name)


CHECKS = [
    SelfCheck("nn-feedforward", "FEED_FORWARD_O consistency", _feed_forward_o, compares="FEED_FORWARD_O"),
    _states("LSTM_STATES_1"),
    _states("LSTM_STATES_2"),
]

PROFILE = Profile(checks=CHECKS)
