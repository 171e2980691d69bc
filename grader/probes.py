"""Probe inputs for function items: the homework's own parameters plus seeded random ones.

Probes are generated in the parent from the run's seed and sent to the child
as plain encoded data; the parent calls the reference on the very same data.
"""

from __future__ import annotations

import itertools
import zlib
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import Field

from grader.harness.codec import AsTensor, Encoded, encode
from grader.model import Frozen

Json = Any


class ArgSpec(Frozen):
    """One argument of a function item and how to draw it."""

    name: str = Field(description="Argument name, used by fixed probes and in feedback.")
    type: Literal["float", "array", "tensor", "sequence", "choice", "callable", "dim", "dict"] = Field(
        description="float: a Python float; array: float64 ndarray; tensor: float32 torch tensor; "
        "sequence: a list of ints drawn from low to high (inclusive), its length `shape[0]`; "
        "choice: one of `values`; callable: a named grader function from `values`; "
        "dim: the integer value of the dimension `dim`; dict: a dict built from `fields`."
    )
    shape: list[int | str] = Field(default=[], description="Array shape (a sequence's: its length); strings "
                                   "name dims.")
    low: float = Field(default=-2.0, description="Lower bound of random values.")
    high: float = Field(default=2.0, description="Upper bound of random values.")
    values: list[str] = Field(default=[], description="Options for choice and callable arguments.")
    dim: str = Field(default="", description="For type dim: the dimension whose size is passed.")
    fields: list[ArgSpec] = Field(default=[], description="For type dict: its entries.")


class ProbeSettings(Frozen):
    """How a function item is probed."""

    random: int = Field(default=5, ge=0, le=200, description="Random probes per grid combination.")
    dims: dict[str, tuple[int, int]] = Field(
        default={}, description="Named dimensions and the inclusive range of their random sizes."
    )
    fixed: list[dict[str, Json]] = Field(
        default=[],
        description="Fixed probes (the homework's parameters). Each maps argument or dim names to "
        "values; unnamed ones are drawn at random. An optional `label` names the probe.",
    )
    grids: list[dict[str, list[Json]]] = Field(
        default=[{}], description="Each grid's combinations of argument values get `random` probes."
    )
    const: dict[str, Json] = Field(default={}, description="Argument values used by every probe.")


@dataclass(frozen=True)
class Probe:
    """One set of inputs for one call, already encoded."""

    label: str
    kwargs: tuple[tuple[str, Encoded], ...]
    dims: tuple[tuple[str, int], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "kwargs": [list(pair) for pair in self.kwargs]}

    def summary(self) -> str:
        """The inputs, briefly: scalars and choices in full, arrays by shape."""
        parts = []
        for name, enc in self.kwargs:
            if enc["t"] == "array":
                parts.append(f"{name}: shape {tuple(enc['shape'])}")
            elif enc["t"] in ("float", "int", "str"):
                parts.append(f"{name}={enc['v']!r}" if enc["t"] == "str" else f"{name}={enc['v']:.4g}")
            elif enc["t"] == "callable":
                parts.append(f"{name}={enc['name']}")
            elif enc["t"] == "map":
                parts.append(f"{name}: dict")
            elif enc["t"] == "seq":
                parts.append(f"{name}: list of length {len(enc['items'])}")
        return ", ".join(parts)


def generate(key: str, args: list[ArgSpec], settings: ProbeSettings, seed: int) -> list[Probe]:
    """All probes of one item: fixed ones first, then the random ones of every grid."""
    rng = np.random.default_rng([seed, zlib.crc32(key.encode())])
    probes = [
        _draw(args, settings, {**settings.const, **fixed}, rng, str(fixed.get("label", "homework")))
        for fixed in settings.fixed
    ]
    for grid in settings.grids:
        names = list(grid)
        for combo in itertools.product(*(grid[n] for n in names)):
            chosen = {**settings.const, **dict(zip(names, combo, strict=True))}
            for _ in range(settings.random):
                probes.append(_draw(args, settings, chosen, rng, "random"))
    return probes


def _draw(args: list[ArgSpec], settings: ProbeSettings, chosen: dict[str, Json],
          rng: np.random.Generator, label: str) -> Probe:
    dims = {name: int(rng.integers(lo, hi + 1)) for name, (lo, hi) in settings.dims.items()}
    dims.update({k: int(v) for k, v in chosen.items() if k in settings.dims})
    kwargs = tuple(
        (spec.name, encode(_value(spec, chosen, dims, rng))) for spec in args
    )
    return Probe(label, kwargs, tuple(sorted(dims.items())))


def _value(spec: ArgSpec, chosen: dict[str, Json], dims: dict[str, int],
           rng: np.random.Generator) -> Any:
    if spec.name in chosen:
        return _literal(spec, chosen[spec.name])
    if spec.type == "float":
        return float(rng.uniform(spec.low, spec.high))
    if spec.type in ("array", "tensor", "sequence"):
        shape = tuple(dims[s] if isinstance(s, str) else s for s in spec.shape)
        if spec.type == "sequence":
            return rng.integers(int(spec.low), int(spec.high) + 1, size=shape[:1]).tolist()
        return _literal(spec, rng.uniform(spec.low, spec.high, size=shape))
    if spec.type in ("choice", "callable"):
        return _literal(spec, spec.values[int(rng.integers(len(spec.values)))])
    if spec.type == "dim":
        return dims[spec.dim]
    return {f.name: _value(f, {}, dims, rng) for f in spec.fields}


class _NamedCallable:
    """Stands for a grader callable in a probe, so it encodes by name."""

    def __init__(self, name: str) -> None:
        self.__name__ = name

    def __call__(self) -> None:  # pragma: no cover - never called
        raise RuntimeError("placeholder")


def _literal(spec: ArgSpec, value: Json) -> Any:
    if spec.type == "float":
        return float(value)
    if spec.type == "array":
        return np.asarray(value, dtype=np.float64)
    if spec.type == "tensor":
        return AsTensor(np.asarray(value, dtype=np.float32))
    if spec.type == "callable":
        return _NamedCallable(str(value))
    if spec.type == "sequence":
        return [int(v) for v in value]
    if spec.type == "dict":
        return {f.name: _literal(f, value[f.name]) for f in spec.fields}
    return value
