"""Parametrized tables for grader.expr: values, precedence, errors with positions, hostile inputs."""

from __future__ import annotations

import ast
import inspect
import math
import sys
import time

import pytest

from grader import expr
from grader.expr import MAX_DEPTH, MAX_LENGTH, ExpressionError, evaluate

E = math.e


@pytest.mark.parametrize(("text", "expected"), [
    ("e^15/(e^15+1)", math.exp(15) / (math.exp(15) + 1)),
    ("1/(1+e^2)", 1 / (1 + math.exp(2))),
    ("ln(999)/3", math.log(999) / 3),
    ("log(999)/3", math.log(999) / 3),
    ("-2.5e-3*sqrt(2)", -2.5e-3 * math.sqrt(2)),
    ("exp(-15)", math.exp(-15)),
    ("tanh(0.5)^2", math.tanh(0.5) ** 2),
    ("2*pi", 2 * math.pi),
    ("sin(pi/6)", math.sin(math.pi / 6)),
    ("cos(1)+sin(1)", math.cos(1) + math.sin(1)),
    ("exp(ln(7))", 7.0),
    ("1/(1+exp(-(0.5*2-1)))", 0.5),
    ("e", math.e),
    ("pi", math.pi),
])
def test_values(text: str, expected: float) -> None:
    assert evaluate(text) == pytest.approx(expected, rel=1e-12, abs=0)


@pytest.mark.parametrize(("text", "expected"), [
    ("12", 12.0),
    ("1.5", 1.5),
    (".5", 0.5),
    ("1.", 1.0),
    ("1e-3", 0.001),
    ("2.5E+4", 25000.0),
    ("1.e2", 100.0),
    ("007", 7.0),
    ("2+3*4", 14.0),
    ("(2+3)*4", 20.0),
    ("8-4-2", 2.0),             # left-associative
    ("8/4/2", 1.0),
    ("2^3^2", 512.0),           # right-associative: 2^(3^2)
    ("(2^3)^2", 64.0),
    ("-2^2", -4.0),             # ^ binds tighter than unary minus
    ("-(2)^2", -4.0),
    ("(-2)^2", 4.0),
    ("(-2)^3", -8.0),
    ("2^-1", 0.5),
    ("2^-1^2", 0.5),            # 2^(-(1^2))
    ("2^-3*4", 0.5),            # (2^-3)*4: the sign in the exponent stops at *
    ("-2^-2", -0.25),
    ("2*3^2", 18.0),
    ("1-2^2", -3.0),
    ("-2*3", -6.0),
    ("2*-3", -6.0),
    ("2--3", 5.0),
    ("--2", 2.0),
    ("+-+2", -2.0),
    ("-+-+-2", -2.0),
    ("2^2^-1", math.sqrt(2)),
    ("sqrt(4)^3", 8.0),
    ("-sqrt(4)", -2.0),
    ("6/2*3", 9.0),
    ("1-1-1", -1.0),
])
def test_precedence_and_associativity(text: str, expected: float) -> None:
    assert evaluate(text) == expected


@pytest.mark.parametrize("text", [
    " 1 + 2 ",
    "1+2",
    "\t1\n+\r2\f",
    "( 1 ) + ( 2 )",
    "sqrt ( 9 )",
    "- 3 + 6",
])
def test_whitespace_between_tokens(text: str) -> None:
    assert evaluate(text) == 3.0


@pytest.mark.parametrize(("text", "position", "reason"), [
    # not an expression
    ("", 0, "the expression is empty"),
    ("   \t", 0, "the expression is empty"),
    ("e^15/(e^15+", 11, "expected a number, a name or '('"),
    ("1+", 2, "expected a number, a name or '('"),
    ("*2", 0, "expected a number, a name or '('"),
    ("2**3", 2, "expected a number, a name or '('"),
    ("()", 1, "expected a number, a name or '('"),
    ("1 2", 2, "expected an operator"),
    ("2pi", 1, "expected an operator"),
    ("1_000", 1, "expected an operator"),
    ("1.5.2", 3, "expected an operator"),
    ("(1 2)", 3, "expected an operator or ')'"),
    ("e(2)", 1, "expected an operator"),
    ("(1", 2, "expected ')' to close the '(' at character 0"),
    ("exp(1+(2)", 9, "expected ')' to close the '(' at character 3"),
    ("1)", 1, "unmatched ')'"),
    ("(1))", 3, "unmatched ')'"),
    ("exp", 3, "expected '(' after 'exp'"),
    ("exp 1", 4, "expected '(' after 'exp'"),
    ("sqrt*2", 4, "expected '(' after 'sqrt'"),
    # names are case-sensitive and only the listed ones exist
    ("x", 0, "unknown name 'x'"),
    ("1+exp2(1)", 2, "unknown name 'exp2'"),
    ("__import__('os')", 0, "unknown name '__import__'"),
    ("NaN", 0, "unknown name 'NaN'"),
    ("inf", 0, "unknown name 'inf'"),
    ("2*Pi", 2, "unknown name 'Pi'"),
    ("E", 0, "unknown name 'E'"),
    ("Exp(1)", 0, "unknown name 'Exp'"),
    ("log10(2)", 0, "unknown name 'log10'"),
    # characters that start no token
    ("1,2", 1, "unexpected character ','"),
    ("1;2", 1, "unexpected character ';'"),
    ("1@2", 1, "unexpected character '@'"),
    ("'1'", 0, 'unexpected character "\'"'),
    ('"1"', 0, "unexpected character '\"'"),
    ("1 % 2", 2, "unexpected character '%'"),
    ("1+\u00a02", 2, "unexpected character '\\xa0'"),
    ("\u0663", 0, "unexpected character '\u0663': only the digits 0-9 are allowed"),
    ("1\uff11", 1, "unexpected character '\uff11': only the digits 0-9 are allowed"),
    ("\u0661.5", 0, "unexpected character '\u0661': only the digits 0-9 are allowed"),
    # undefined values, at the operator or the function
    ("1/0", 1, "division by zero"),
    ("2+1/(1-1)", 3, "division by zero"),
    ("ln(-1)", 0, "ln of a negative number"),
    ("2*log(-1)", 2, "log of a negative number"),
    ("ln(0)", 0, "ln of zero"),
    ("sqrt(-1)", 0, "sqrt of a negative number"),
    ("0^-1", 1, "zero to a negative power"),
    ("(-8)^(1/3)", 4, "a negative number to a non-integer power"),
    ("sin(10^400)", 0, "sin of an infinite number"),
    ("cos(-exp(1000))", 0, "cos of an infinite number"),
    ("10^400-10^400", 6, "the result of '-' is not a number"),
    ("0*exp(1000)", 1, "the result of '*' is not a number"),
    ("exp(1000)/exp(1000)", 9, "the result of '/' is not a number"),
    # bounds
    ("(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1), MAX_DEPTH, f"nested more than {MAX_DEPTH} deep"),
    ("-" * (MAX_DEPTH + 1) + "1", MAX_DEPTH, f"nested more than {MAX_DEPTH} deep"),
    ("exp(" * (MAX_DEPTH + 1) + "0" + ")" * (MAX_DEPTH + 1), 4 * MAX_DEPTH + 3, f"nested more than {MAX_DEPTH} deep"),
    ("-(" * 16 + "1" + ")" * 16, MAX_DEPTH, f"nested more than {MAX_DEPTH} deep"),
    ("2^-" * (MAX_DEPTH + 1) + "2", 3 * MAX_DEPTH + 2, f"nested more than {MAX_DEPTH} deep"),
    ("1" * (MAX_LENGTH + 1), MAX_LENGTH, f"longer than {MAX_LENGTH} characters"),
])
def test_errors_say_where_and_why(text: str, position: int, reason: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        evaluate(text)
    assert (caught.value.position, caught.value.reason) == (position, reason)


@pytest.mark.parametrize(("text", "expected"), [
    ("(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH, 1.0),
    ("-" * MAX_DEPTH + "1", 1.0),
    ("-(" * 15 + "2" + ")" * 15, -2.0),
    ("exp(" * MAX_DEPTH + "0" + ")" * MAX_DEPTH, math.inf),  # exp(exp(...)) overflows
    ("-1" + "-1" * 200, -201.0),        # signs that do not nest do not add up
    ("(1)+" * 99 + "(1)", 100.0),       # neither do parentheses side by side
])
def test_the_depth_limit_counts_nesting_only(text: str, expected: float) -> None:
    assert evaluate(text) == expected


def test_the_error_message_names_the_place() -> None:
    with pytest.raises(ExpressionError) as caught:
        evaluate("e^15/(e^15+")
    expected = "stopped at character 11 of 'e^15/(e^15+': expected a number, a name or '('"
    assert str(caught.value) == expected
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("text", [
    "x" * 10_000,                      # too long: refused before anything else
    "1+" * 100 + "y" * 300,            # a long unknown name
    "1+" * 200 + "@" + "2" * 98,
    "q" * MAX_LENGTH,
])
def test_the_error_message_quotes_at_most_60_characters(text: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        evaluate(text)
    message = str(caught.value)
    assert len(message) < 60 + 120
    assert text[:61] not in message


def test_the_quote_is_around_the_position() -> None:
    text = "1+" * 100 + "@" + "+1" * 50
    with pytest.raises(ExpressionError) as caught:
        evaluate(text)
    assert caught.value.position == 200
    assert "...'" in str(caught.value) and "1+1+@+1+1" in str(caught.value)


INF = math.inf
HOSTILE = [
    ("9^9^9^9", INF),
    ("(" * 10_000 + "1" + ")" * 10_000, ExpressionError),
    ("1+" * 500_000 + "1", ExpressionError),          # about 1 MB
    ("-" * 10_000 + "1", ExpressionError),
    ("1" + "^1" * 100_000, ExpressionError),
    ("\u0663", ExpressionError),                       # Arabic-Indic three
    ("\uff11", ExpressionError),                       # full-width one
    ("__import__('os')", ExpressionError),
    ("__import__('os').system('true')", ExpressionError),
    ("exp(1000)", INF),
    ("10^400", INF),
    ("-10^400", -INF),
    ("(-10)^401", -INF),
    ("(-10)^400", INF),
    ("e^e^e^e^e", INF),
    ("0^0", 1.0),
    ("", ExpressionError),
    ("1e999999999", INF),                              # overflow gives inf, as documented
    ("1e-999999999", 0.0),
    ("NaN", ExpressionError),
    ("inf", ExpressionError),
    # the worst that fits within the bounds
    ("1" + "^1" * ((MAX_LENGTH - 1) // 2), 1.0),
    ("2^" * ((MAX_LENGTH - 1) // 2) + "2", INF),
    ("9" * MAX_LENGTH, INF),
    ("1e" + "9" * (MAX_LENGTH - 2), INF),
    ("0." + "0" * (MAX_LENGTH - 3) + "1", 0.0),
    ("-" * (MAX_LENGTH - 1) + "1", ExpressionError),
    ("(" * (MAX_LENGTH - 1) + "1", ExpressionError),
    ("sqrt(" * 100, ExpressionError),
    ("1" + "*1" * ((MAX_LENGTH - 1) // 2), 1.0),
    ("1" + "+(1)" * ((MAX_LENGTH - 1) // 4), float((MAX_LENGTH - 1) // 4 + 1)),
    ("a" * MAX_LENGTH, ExpressionError),
    ("1+" * (MAX_LENGTH // 2), ExpressionError),
]


@pytest.mark.parametrize(("text", "expected"), HOSTILE, ids=lambda x: repr(x)[:30])
def test_hostile_inputs_finish_quickly(text: str, expected: float | type[Exception]) -> None:
    start = time.perf_counter()
    if isinstance(expected, float):
        assert evaluate(text) == expected
    else:
        with pytest.raises(expected):
            evaluate(text)
    assert time.perf_counter() - start < 0.5  # a safety bound, not a benchmark


def _frame_depth() -> int:
    return len(inspect.stack(context=0))


@pytest.mark.parametrize("text", [
    "(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH,
    "exp(" * MAX_DEPTH + "0" + ")" * MAX_DEPTH,
    "-" * (MAX_DEPTH - 2) + "2^-2^-2",
    "1" + "^1" * ((MAX_LENGTH - 1) // 2),
])
def test_evaluation_needs_few_python_frames(text: str) -> None:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(_frame_depth() + 20)
    try:
        evaluate(text)
    finally:
        sys.setrecursionlimit(limit)


def test_the_module_never_calls_eval_or_imports_more_than_it_needs() -> None:
    tree = ast.parse(inspect.getsource(expr))
    calls = [node.func for node in ast.walk(tree) if isinstance(node, ast.Call)]
    names = {call.id for call in calls if isinstance(call, ast.Name)}
    methods = {call.attr for call in calls if isinstance(call, ast.Attribute)}
    assert "float" in names and "pow" in methods  # the walk does see the calls
    assert not names & {"eval", "exec", "compile", "__import__", "int", "getattr"}
    assert not methods & {"eval", "literal_eval", "sympify", "parse_string"}
    imported = {
        alias.name if isinstance(node, ast.Import) else node.module
        for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported == {"__future__", "math", "operator", "re", "collections.abc", "dataclasses"}
