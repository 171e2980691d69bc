"""Evaluate a student's answer written in the course's calculator syntax, safely and in bounded time.

The grammar: numbers in ASCII digits (``12``, ``1.5``, ``.5``, ``2.5E+4``); binary ``+ - * /``;
``^`` for powers, right-associative and binding tighter than unary ``-`` (``-2^2`` is -4, ``2^-1``
is 0.5); unary ``+`` and ``-``; parentheses; the constants ``e`` and ``pi``; and the functions of
one argument ``exp``, ``ln``, ``log`` (natural, like ``ln``), ``sqrt``, ``sin``, ``cos``, ``tanh``.

Why no parsing library: this is a hand-written shunting-yard evaluator, two stacks and no
recursion, so its work is linear and its Python stack depth constant whatever the nesting. lark 1.3's
LALR parser is also linear with no eval fallback, but for a grammar this small it costs a dependency
and about 0.1 s of import and table building, and it reports the end of input at the last token with
incomplete expected-token sets, so friendly messages would need an adapter as long as this parser;
pyparsing's ``infix_notation`` backtracks exponentially on nested parentheses (6 levels took minutes)
unless packrat, a process-wide switch, is enabled.

Bounds: the input is refused beyond ``MAX_LENGTH`` characters, then beyond ``MAX_DEPTH`` levels of
parentheses, calls and unary signs (a linear scan of the tokens, before any evaluation). Every value is
an IEEE float from the start and powers use ``math.pow``, so ``9^9^9^9`` never builds a big integer.
Overflow gives ``inf``, including a literal such as ``1e999999999``; undefined results (``1/0``,
``ln(-1)``, ``0^-1``, ``inf - inf``) raise ``ExpressionError`` at the operator or function.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "ExpressionError", "evaluate"]

MAX_LENGTH = 500
MAX_DEPTH = 30

_QUOTED = 60  # characters of the input shown in an error message, at most
_NAME_SHOWN = 20

_SPACE = re.compile(r"[ \t\r\n\f\v]*")
_TOKEN = re.compile(
    r"(?P<number>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>[-+*/^()])"
)
_EXPECT_OPERAND = "expected a number, a name or '('"


class ExpressionError(ValueError):
    """The text is not an expression, or its value is undefined; ``position`` says where."""

    def __init__(self, text: str, position: int, reason: str) -> None:
        self.position = position
        self.reason = reason
        super().__init__(f"stopped at character {position} of {_excerpt(text, position)}: {reason}")


class _Undefined(Exception):
    """An operation has no value for these operands; the message names the problem."""


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "number", "name", "op", "end", or "bad": a character that starts no token
    text: str
    position: int


def evaluate(text: str) -> float:
    """The value of ``text`` as a float, possibly infinite; raises ExpressionError otherwise."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(text, MAX_LENGTH, f"longer than {MAX_LENGTH} characters")
    if _SPACE.fullmatch(text) is not None:
        raise ExpressionError(text, 0, "the expression is empty")
    tokens = _within_depth(text, _tokens(text))
    return _Evaluation(text).run(tokens)


def _excerpt(text: str, position: int) -> str:
    """At most ``_QUOTED`` characters of ``text`` around ``position``, quoted."""
    start = max(0, min(position - _QUOTED // 2, len(text) - _QUOTED))
    end = start + _QUOTED
    head = "..." if start > 0 else ""
    tail = "..." if end < len(text) else ""
    return f"{head}{text[start:end]!r}{tail}"


def _shown(name: str) -> str:
    """A name for a message, cut short so that a long one is never echoed whole."""
    return repr(name if len(name) <= _NAME_SHOWN else name[:_NAME_SHOWN] + "...")


def _tokens(text: str) -> Iterator[_Token]:
    """The tokens of ``text`` in order, ending with an "end" token, or a "bad" one that starts none."""
    position = _skip_space(text, 0)
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.lastgroup is None:
            yield _Token("bad", text[position], position)
            return
        yield _Token(match.lastgroup, match.group(), position)
        position = _skip_space(text, match.end())
    yield _Token("end", "", len(text))


def _skip_space(text: str, position: int) -> int:
    """The index of the first non-blank character at or after ``position``."""
    match = _SPACE.match(text, position)
    return position if match is None else match.end()


def _is_sign(token: _Token, previous: _Token | None) -> bool:
    """Whether ``token`` is a unary ``+`` or ``-``: one that does not follow an operand."""
    follows_operand = previous is not None and (
        previous.kind in ("number", "name") or previous.text == ")"
    )
    return token.text in ("+", "-") and not follows_operand


def _within_depth(text: str, tokens: Iterable[_Token]) -> list[_Token]:
    """All the tokens, once a linear scan has shown that nothing nests deeper than MAX_DEPTH."""
    kept: list[_Token] = []
    signs = [0]  # unary signs still open, per open parenthesis
    depth = 0
    for token in tokens:
        if _is_sign(token, kept[-1] if kept else None):
            signs[-1] += 1
            depth += 1
        elif token.text == "(":
            signs.append(0)
            depth += 1
        elif token.text == ")" and len(signs) > 1:
            depth -= signs.pop() + 1
        elif token.text in ("+", "-", "*", "/"):
            depth -= signs[-1]  # a binary operator other than ^ ends the signs before it
            signs[-1] = 0
        if depth > MAX_DEPTH:
            raise ExpressionError(text, token.position, f"nested more than {MAX_DEPTH} deep")
        kept.append(token)
    return kept


def _divide(dividend: float, divisor: float) -> float:
    """``dividend / divisor``, refusing a zero divisor."""
    if divisor == 0:
        raise _Undefined("division by zero")
    return dividend / divisor


def _power(base: float, exponent: float) -> float:
    """``base ^ exponent`` in IEEE floats, infinite when it overflows; never a Python integer."""
    if base == 0 and exponent < 0:
        raise _Undefined("zero to a negative power")
    try:
        return math.pow(base, exponent)
    except ValueError:
        raise _Undefined("a negative number to a non-integer power") from None
    except OverflowError:
        odd = exponent.is_integer() and math.fmod(exponent, 2.0) != 0
        return -math.inf if base < 0 and odd else math.inf


def _exp(x: float) -> float:
    """``e^x``, infinite when it overflows."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _ln(x: float) -> float:
    """The natural logarithm of a positive number."""
    if x < 0:
        raise _Undefined("of a negative number")
    if x == 0:
        raise _Undefined("of zero")
    return math.log(x)


def _sqrt(x: float) -> float:
    """The square root of a number that is not negative."""
    if x < 0:
        raise _Undefined("of a negative number")
    return math.sqrt(x)


def _periodic(function: Callable[[float], float]) -> Callable[[float], float]:
    """``function`` refusing an infinite argument, for which sine and cosine are undefined."""

    def checked(x: float) -> float:
        if math.isinf(x):
            raise _Undefined("of an infinite number")
        return function(x)

    return checked


_CONSTANTS = {"e": math.e, "pi": math.pi}
_FUNCTIONS: dict[str, Callable[[float], float]] = {
    "exp": _exp,
    "ln": _ln,
    "log": _ln,
    "sqrt": _sqrt,
    "sin": _periodic(math.sin),
    "cos": _periodic(math.cos),
    "tanh": math.tanh,
}
_SIGNS: dict[str, Callable[[float], float]] = {"+": operator.pos, "-": operator.neg}
_SIGN_PRECEDENCE = 3  # between * and ^, so that -2^2 is -(2^2) and -2*3 is (-2)*3
_BINARY: dict[str, tuple[int, Callable[[float, float], float]]] = {
    "+": (1, operator.add),
    "-": (1, operator.sub),
    "*": (2, operator.mul),
    "/": (2, _divide),
    "^": (4, _power),
}


@dataclass(frozen=True, slots=True)
class _Pending:
    role: str  # "sign", "binary", "call" or "("
    token: _Token

    @property
    def precedence(self) -> int:
        """How tightly the operator binds; 0 for a parenthesis or a call, which wait for ')'."""
        if self.role == "sign":
            return _SIGN_PRECEDENCE
        if self.role == "binary":
            return _BINARY[self.token.text][0]
        return 0


class _Evaluation:
    """One shunting-yard pass over the tokens: operands wait on ``values``, operators on ``pending``.

    Each token is pushed and popped at most once, and nothing recurses.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.values: list[float] = []
        self.pending: list[_Pending] = []

    def run(self, tokens: list[_Token]) -> float:
        """The value of the whole expression."""
        expect = "operand"
        for token in tokens:
            if token.kind == "bad":
                raise self._unexpected(token)
            if expect == "operand":
                expect = self._operand(token)
            elif expect == "(":
                expect = self._open_call(token)
            else:
                expect = self._operator(token)
        return self.values[-1]

    def _operand(self, token: _Token) -> str:
        """Take a number, a name, '(' or a sign; say what the next token must be."""
        if token.kind == "number":
            self.values.append(float(token.text))
            return "operator"
        if token.kind == "name":
            return self._name(token)
        if token.text in ("(", "+", "-"):
            self.pending.append(_Pending("(" if token.text == "(" else "sign", token))
            return "operand"
        raise self._error(token.position, _EXPECT_OPERAND)

    def _name(self, token: _Token) -> str:
        """Take a constant, or a function that must be followed by '('."""
        if token.text in _CONSTANTS:
            self.values.append(_CONSTANTS[token.text])
            return "operator"
        if token.text in _FUNCTIONS:
            self.pending.append(_Pending("call", token))
            return "("
        raise self._error(token.position, f"unknown name {_shown(token.text)}")

    def _open_call(self, token: _Token) -> str:
        """Take the '(' after a function name."""
        if token.text != "(":
            name = self.pending[-1].token.text
            raise self._error(token.position, f"expected '(' after {name!r}")
        self.pending.append(_Pending("(", token))
        return "operand"

    def _operator(self, token: _Token) -> str:
        """Take a binary operator, ')' or the end of the input."""
        if token.text in _BINARY:
            precedence = _BINARY[token.text][0]
            self._reduce(precedence if token.text == "^" else precedence - 1)
            self.pending.append(_Pending("binary", token))
            return "operand"
        if token.text == ")":
            self._close(token)
            return "operator"
        if token.kind == "end":
            self._finish(token)
            return "end"
        inside = any(entry.role == "(" for entry in self.pending)
        raise self._error(token.position, "expected an operator" + (" or ')'" if inside else ""))

    def _close(self, token: _Token) -> None:
        """Finish the innermost parenthesis, and the call it belongs to if any."""
        self._reduce(0)
        if not self.pending:
            raise self._error(token.position, "unmatched ')'")
        self.pending.pop()
        if self.pending and self.pending[-1].role == "call":
            self._apply(self.pending.pop())

    def _finish(self, token: _Token) -> None:
        """Apply what is still pending at the end; every '(' must have been closed."""
        self._reduce(0)
        if self.pending:
            opened = self.pending[-1].token.position
            reason = f"expected ')' to close the '(' at character {opened}"
            raise self._error(token.position, reason)

    def _reduce(self, above: int) -> None:
        """Apply, from the top, every pending operator that binds tighter than ``above``."""
        while self.pending and self.pending[-1].precedence > above:
            self._apply(self.pending.pop())

    def _apply(self, entry: _Pending) -> None:
        """Replace an operator's operands on ``values`` with its result."""
        text = entry.token.text
        if entry.role == "binary":
            right = self.values.pop()
            self.values.append(self._compute(entry.token, _BINARY[text][1], self.values.pop(), right))
        else:
            function = _SIGNS[text] if entry.role == "sign" else _FUNCTIONS[text]
            self.values.append(self._compute(entry.token, function, self.values.pop()))

    def _compute(self, token: _Token, operation: Callable[..., float], *args: float) -> float:
        """``operation(*args)``, or an error at ``token`` if it is undefined or not a number."""
        try:
            value = operation(*args)
        except _Undefined as problem:
            named = f"{token.text} {problem}" if token.kind == "name" else str(problem)
            raise self._error(token.position, named) from None
        if math.isnan(value):
            raise self._error(token.position, f"the result of {token.text!r} is not a number")
        return value

    def _unexpected(self, token: _Token) -> ExpressionError:
        """The error for a character that starts no token."""
        reason = f"unexpected character {token.text!r}"
        if token.text.isdecimal():
            reason += ": only the digits 0-9 are allowed"
        return self._error(token.position, reason)

    def _error(self, position: int, reason: str) -> ExpressionError:
        """An ExpressionError about this evaluation's text."""
        return ExpressionError(self.text, position, reason)
