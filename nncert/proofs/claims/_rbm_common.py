"""Shared (trusted, tiny) helpers of the random-batch claim modules: JSON writing/reading of numeric arrays.

Floats measured by producers are written as decimal text (``repr``); exact inputs as ``"p/q"``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from nncert.core import Status, Verdict, fmt, parse_exact
from nncert.errors import InvalidCertificate
from nncert.verify.rbm_reference import parse_float

__all__ = ["fl", "ex", "ex_array", "read_exact", "read_floats", "bits", "need", "holds", "refuted", "unknown"]


def fl(x: float) -> str:
    """Decimal text of a float (round-trips exactly)."""
    return repr(float(x))


def ex(x: float | Fraction | int) -> str:
    """Exact text of a float's binary value (or of a Fraction/int)."""
    return fmt(Fraction(x) if not isinstance(x, (np.floating, np.integer)) else Fraction(x.item()))


def ex_array(a: Any) -> Any:
    """Nested lists of exact text."""
    arr = np.asarray(a)
    if arr.ndim == 0:
        return ex(arr.item())
    return [ex_array(x) for x in arr]


def read_exact(obj: Any, shape: tuple[int, ...], where: str) -> np.ndarray:
    """Float array (exactly the stated binary values when they are dyadic) from nested exact text."""
    def rec(o: Any, sh: tuple[int, ...], w: str) -> list:
        if not sh:
            return float(parse_exact(o, w))  # type: ignore[return-value]
        if not isinstance(o, list) or len(o) != sh[0]:
            raise InvalidCertificate(f"{w}: expected a list of length {sh[0]}")
        return [rec(x, sh[1:], f"{w}[{i}]") for i, x in enumerate(o)]

    return np.array(rec(obj, shape, where), dtype=float).reshape(shape)


def read_floats(obj: Any, shape: tuple[int, ...], where: str) -> np.ndarray:
    """Float array from nested decimal text."""
    def rec(o: Any, sh: tuple[int, ...], w: str) -> list:
        if not sh:
            return parse_float(o, w)  # type: ignore[return-value]
        if not isinstance(o, list) or len(o) != sh[0]:
            raise InvalidCertificate(f"{w}: expected a list of length {sh[0]}")
        return [rec(x, sh[1:], f"{w}[{i}]") for i, x in enumerate(o)]

    return np.array(rec(obj, shape, where), dtype=float).reshape(shape)


def bits(mask: Any) -> str:
    """A 0/1 mask as text."""
    return "".join("1" if v else "0" for v in np.asarray(mask).ravel())


def need(obj: Any, keys: set[str], where: str) -> dict:
    """``obj`` must be a dict with exactly ``keys``."""
    if not isinstance(obj, dict) or set(obj) != keys:
        got = sorted(obj) if isinstance(obj, dict) else type(obj).__name__
        raise InvalidCertificate(f"{where}: expected exactly the fields {sorted(keys)}, got {got}")
    return obj


def holds(name: str, evidence: str, admitted: tuple[str, ...] = ()) -> Verdict:
    return Verdict(Status.HOLDS, name, evidence=evidence, admitted=admitted)


def refuted(name: str, reason: str, **cex: str) -> Verdict:
    return Verdict(Status.REFUTED, name, reason=reason, counterexample=cex or {"part": name})


def unknown(name: str, reason: str, evidence: str = "", admitted: tuple[str, ...] = ()) -> Verdict:
    return Verdict(Status.UNKNOWN, name, evidence=evidence, reason=reason, admitted=admitted)


def close(a: float, b: float, rel: float = 1e-9, abs_: float = 1e-12) -> bool:
    """``|a - b| <= rel |b| + abs_``."""
    return abs(a - b) <= rel * abs(b) + abs_
