"""Plain-value encoding: the only form in which values cross a process boundary.

``encode`` turns any Python value into JSON-able data without trusting it:
arrays become raw little-endian bytes, unknown objects become their type name.
``to_python`` rebuilds probe arguments from that data in the child.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

MAX_ELEMENTS = 1_000_000
MAX_ITEMS = 10_000
MAX_STR = 20_000
MAX_DEPTH = 12

Encoded = dict[str, Any]


class Budget:
    """Caps the total size of one encoded value tree."""

    def __init__(self, elements: int = MAX_ELEMENTS) -> None:
        self.elements = elements

    def take(self, n: int) -> None:
        self.elements -= n
        if self.elements < 0:
            raise ValueError("value too large to report")


@dataclass(frozen=True)
class AsTensor:
    """A float32 array to encode as a torch tensor: probes are drawn without importing torch."""

    array: np.ndarray


def encode(value: object, budget: Budget | None = None, depth: int = 0) -> Encoded:
    """Encode ``value`` as JSON-able plain data, never raising for odd objects."""
    budget = budget or Budget()
    if depth > MAX_DEPTH:
        return {"t": "object", "type": "nested too deeply"}
    try:
        return _encode(value, budget, depth)
    except Exception as exc:  # any student object may raise from any dunder
        return {"t": "error", "msg": f"{type(exc).__name__} while reading the value"}


def _encode(value: object, budget: Budget, depth: int) -> Encoded:
    kind = type(value)
    if value is None:
        return {"t": "none"}
    if kind is bool or isinstance(value, np.bool_):
        return {"t": "bool", "v": bool(value)}
    if isinstance(value, np.generic):
        return _encode_numpy_scalar(value)
    if isinstance(value, int):
        number = int.__index__(value)  # the C method: a subclass's __abs__ or __float__ is never called
        return {"t": "int", "v": number} if -(2**63) < number < 2**63 else {"t": "float", "v": float(number)}
    if isinstance(value, float):
        return {"t": "float", "v": float.__float__(value)}
    if isinstance(value, str):
        text = str.__str__(value)
        return {"t": "str", "v": text[:MAX_STR], "cut": len(text) > MAX_STR}
    if isinstance(value, np.ndarray):
        return _encode_array(np.array(value, copy=True, subok=False), "ndarray", budget)
    if isinstance(value, AsTensor):
        return _encode_array(value.array, "tensor", budget)
    if _is_tensor(value):
        return _encode_array(value.detach().cpu().numpy(), "tensor", budget)  # type: ignore[attr-defined]
    if isinstance(value, list | tuple | set | frozenset):
        return _encode_seq(value, budget, depth)
    if isinstance(value, dict):
        return _encode_map(value, budget, depth)
    if callable(value):
        return {"t": "callable", "name": str(getattr(value, "__name__", kind.__name__))[:200]}
    return {"t": "object", "type": f"{kind.__module__}.{kind.__qualname__}"[:200]}


def _is_tensor(value: object) -> bool:
    module = type(value).__module__ or ""
    return module.startswith("torch") and hasattr(value, "detach")


def _encode_numpy_scalar(value: np.generic) -> Encoded:
    plain = np.generic.item(value)  # numpy's C method, whatever a subclass overrides
    if isinstance(value, np.integer):
        return {"t": "int", "v": int.__index__(plain)}
    if isinstance(value, np.floating):
        return {"t": "float", "v": float.__float__(plain)}
    return {"t": "object", "type": f"numpy.{type(value).__name__}"}


def _encode_array(array: np.ndarray, source: str, budget: Budget) -> Encoded:
    budget.take(array.size)
    encoded: Encoded = {"t": "array", "src": source, "kind": array.dtype.kind, "shape": list(array.shape)}
    if array.dtype.kind in "fiub":
        store = "<f4" if array.dtype == np.float32 else "<f8"
        raw = np.ascontiguousarray(array, dtype=store).tobytes()
        encoded["store"] = store
        encoded["b64"] = base64.b64encode(raw).decode("ascii")
    return encoded


def _encode_seq(value: list[Any] | tuple[Any, ...] | set[Any] | frozenset[Any], budget: Budget,
                depth: int) -> Encoded:
    """A list, a tuple or a set (``src`` says which), read by the built-in types' own methods."""
    src = _SEQUENCES[next(base for base in _SEQUENCES if isinstance(value, base))]
    iterate: dict[str, Callable[[Any], Iterator[Any]]] = {
        "list": list.__iter__, "tuple": tuple.__iter__, "set": set.__iter__, "frozenset": frozenset.__iter__}
    items = iterate[src](value)
    out = []
    for i, item in enumerate(items):
        if i >= MAX_ITEMS:
            return {"t": "object", "type": "sequence too long"}
        budget.take(1)
        out.append(encode(item, budget, depth + 1))
    return {"t": "seq", "src": src, "items": out}


_SEQUENCES = {list: "list", tuple: "tuple", set: "set", frozenset: "frozenset"}


def _encode_map(value: dict[Any, Any], budget: Budget, depth: int) -> Encoded:
    out = []
    for i, (key, item) in enumerate(dict.items(value)):
        if i >= MAX_ITEMS:
            return {"t": "object", "type": "dict too large"}
        budget.take(1)
        label = str.__str__(key)[:200] if isinstance(key, str) else f"<{type(key).__name__} key>"
        out.append([label, encode(item, budget, depth + 1)])
    return {"t": "map", "items": out}


def decode_array_bytes(encoded: Encoded) -> np.ndarray:
    """The ndarray held by an encoded array (float32 or float64), shape checked."""
    shape = tuple(int(n) for n in encoded["shape"])
    store = encoded["store"]
    if store not in ("<f4", "<f8") or any(n < 0 for n in shape):
        raise ValueError("malformed array")
    raw = base64.b64decode(encoded["b64"], validate=True)
    count = math.prod(shape)
    if count > MAX_ELEMENTS or len(raw) != count * np.dtype(store).itemsize:
        raise ValueError("array bytes do not match its shape")
    return np.frombuffer(raw, dtype=store).reshape(shape).copy()


def to_python(encoded: Encoded, callables: dict[str, Callable[..., Any]]) -> Any:
    """Rebuild a probe argument from its encoding (used in child and parent alike)."""
    t = encoded["t"]
    if t in ("none", "bool", "int", "float", "str"):
        return encoded.get("v")
    if t == "array":
        array = decode_array_bytes(encoded)
        if encoded.get("src") == "tensor":
            import torch

            return torch.from_numpy(array.copy())
        return array
    if t == "seq":
        items = [to_python(item, callables) for item in encoded["items"]]
        return items if encoded["src"] in ("list", "set", "frozenset") else tuple(items)
    if t == "map":
        return {key: to_python(item, callables) for key, item in encoded["items"]}
    if t == "callable":
        return callables[encoded["name"]]
    raise ValueError(f"cannot rebuild a {t!r} argument")
