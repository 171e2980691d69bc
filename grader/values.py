"""Values reported by a child, decoded and validated in the parent.

Every field is checked here, so the comparators downstream work on trusted,
typed data. A malformed report raises ``ValueError``; nothing is unpickled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.harness.codec import MAX_DEPTH, decode_array_bytes


@dataclass(frozen=True)
class Value:
    """A plain value reported for one name or one call."""

    t: str
    v: Any = None
    array: np.ndarray | None = None
    kind: str = ""
    src: str = ""
    items: tuple[Value, ...] = ()
    keys: tuple[str, ...] = ()
    shape: tuple[int, ...] = ()

    def describe(self) -> str:
        """A short phrase naming the type, never the value itself."""
        if self.t == "array":
            origin = "torch tensor" if self.src == "tensor" else "array"
            dtype = "" if self.kind in "fiu" else f" (dtype kind {self.kind!r})"
            return f"{origin} of shape {shape_text(self.shape)}{dtype}"
        if self.t == "seq":
            return f"{self.src} of length {len(self.items)}"
        if self.t == "map":
            return f"dict with keys {sorted(self.keys)}"
        return {
            "none": "None",
            "bool": "a bool",
            "int": "an int",
            "float": "a float",
            "str": "a string",
            "callable": "a function",
            "error": "a value that raised when read",
        }.get(self.t, f"an object of type {self.v}")

    def get(self, key: str) -> Value | None:
        """The value under ``key`` of a map."""
        for name, item in zip(self.keys, self.items, strict=True):
            if name == key:
                return item
        return None


def shape_text(shape: tuple[int, ...]) -> str:
    """A shape as Python prints it, e.g. ``(3,)``."""
    return str(tuple(int(n) for n in shape))


def decode(data: Any, depth: int = 0) -> Value:
    """Validate one encoded value tree and decode it."""
    if not isinstance(data, dict) or depth > MAX_DEPTH + 1:
        raise ValueError("malformed value")
    t = data.get("t")
    if t == "none":
        return Value("none")
    if t == "bool":
        return Value("bool", _typed(data.get("v"), bool))
    if t == "int":
        return _int(_typed(data.get("v"), int))
    if t == "float":
        return Value("float", _float(data.get("v")))
    if t == "str":
        return Value("str", _typed(data.get("v"), str))
    if t == "array":
        return _decode_array(data)
    if t == "seq":
        items = tuple(decode(item, depth + 1) for item in _typed(data.get("items"), list))
        src = data.get("src")
        return Value("seq", src=src if src in ("tuple", "set", "frozenset") else "list", items=items)
    if t == "map":
        pairs = [_pair(pair, depth) for pair in _typed(data.get("items"), list)]
        return Value("map", keys=tuple(k for k, _ in pairs), items=tuple(v for _, v in pairs))
    if t in ("callable", "object", "error"):
        text = data.get("name") or data.get("type") or data.get("msg") or ""
        return Value(t, v=_typed(text, str)[:200])
    raise ValueError(f"unknown value type {str(t)[:40]!r}")


def _typed(value: Any, kind: type) -> Any:
    if type(value) is not kind:
        raise ValueError(f"expected {kind.__name__}")
    return value


def _int(number: int) -> Value:
    """An int as the child's encoder sends it (64-bit); a larger one is a float that overflows."""
    if -(2**63) < number < 2**63:
        return Value("int", number)
    return Value("float", math.inf if number > 0 else -math.inf)


def _float(value: Any) -> float:
    if type(value) is float:
        return value
    if type(value) is not int:
        raise ValueError("expected a float")
    if -(2**63) < value < 2**63:
        return float(value)
    return math.inf if value > 0 else -math.inf


def _pair(pair: Any, depth: int) -> tuple[str, Value]:
    if not isinstance(pair, list) or len(pair) != 2:
        raise ValueError("malformed map entry")
    return _typed(pair[0], str), decode(pair[1], depth + 1)


def _decode_array(data: dict[str, Any]) -> Value:
    kind = _typed(data.get("kind"), str)
    src = "tensor" if data.get("src") == "tensor" else "ndarray"
    shape = tuple(_typed(n, int) for n in _typed(data.get("shape"), list))
    if kind not in ("f", "i", "u", "b"):
        return Value("array", kind=kind, src=src, shape=shape)
    array = decode_array_bytes(data)
    return Value("array", array=array.astype(np.float64), kind=kind, src=src, shape=shape)
