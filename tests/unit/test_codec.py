"""Values crossing the process boundary: any object encodes, only well-formed data decodes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from grader import values
from grader.harness.codec import encode


class Liar(float):
    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = float.__hash__

    def __float__(self) -> float:
        return 0.25


class Weird:
    def __array__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        return np.array([1.0, 2.0, 3.0])

    def __eq__(self, other: object) -> bool:
        return True


class Sub(np.ndarray):
    def __eq__(self, other: object) -> Any:
        return True


@pytest.mark.parametrize(("value", "t"), [
    (None, "none"), (True, "bool"), (np.bool_(False), "bool"), (3, "int"), (np.int64(3), "int"),
    (2.5, "float"), (np.float32(2.5), "float"), ("x", "str"), (np.zeros((2, 3)), "array"),
    ([1, 2], "seq"), ((1, 2), "seq"), ({"a": 1}, "map"), (len, "callable"), (object(), "object"),
])
def test_encode_then_decode_types(value: Any, t: str) -> None:
    assert values.decode(encode(value)).t == t


def test_float_subclass_is_encoded_by_its_real_value() -> None:
    assert values.decode(encode(Liar(0.9))).v == 0.9


def test_object_with_dunder_array_is_not_an_array() -> None:
    assert values.decode(encode(Weird())).t == "object"


def test_ndarray_subclass_becomes_plain_data() -> None:
    sub = np.arange(3.0).view(Sub)
    decoded = values.decode(encode(sub))
    assert decoded.t == "array" and type(decoded.array) is np.ndarray
    assert decoded.array.tolist() == [0.0, 1.0, 2.0]


def test_nan_and_inf_survive() -> None:
    decoded = values.decode(encode(np.array([np.nan, np.inf, -np.inf])))
    assert np.isnan(decoded.array[0]) and decoded.array[1] == np.inf


def test_raising_property_is_contained() -> None:
    class Bomb(list):
        def __iter__(self):
            raise RuntimeError("no")
    assert encode(Bomb([1]))["t"] in ("seq", "error")


@pytest.mark.parametrize("bad", [
    {"t": "float", "v": "1.0"}, {"t": "bool", "v": 1}, {"t": "array", "kind": "f", "shape": [2], "store": "<f8", "b64": "AAAA"},
    {"t": "array", "kind": "f", "shape": [-1], "store": "<f8", "b64": ""}, {"t": "map", "items": [[1, {"t": "none"}]]},
    {"t": "nope"}, [], {"t": "seq", "items": "x"}, {"t": "array", "kind": "f", "shape": [1], "store": "|O", "b64": ""},
])
def test_malformed_reports_are_rejected(bad: Any) -> None:
    with pytest.raises((ValueError, KeyError, TypeError)):
        values.decode(bad)
