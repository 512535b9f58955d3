"""Trusted exact (Fraction-only) re-derivation of random-batch laws and identities.

Used by the trusted ``check`` functions of the ``P2.*`` claims. Imports nothing from
:mod:`nncert.constructions` and no solver: every law is re-enumerated here from a small JSON spec,
and every identity is an exact statement about finitely many Fractions:

* unbiasedness of ``F^h = sum_{i in B} w_i f_i`` for **all** contributions ``f`` is equivalent to
  ``sum_{B containing i} P(B) w_i = 1`` for every ``i`` (linearity), checked exactly;
* a variance identity ``E|F^h - F|^2 = sum_ij M_ij <f_i, f_j>`` for all ``f`` is equivalent to the
  equality of the symmetric matrices ``Q_ij = E[a_i a_j]`` (``a_i = [i in B] w_i - 1``) and ``M``.

Specs (all values strings): ``{"scheme": "full", "p"}``, ``{"scheme": "bernoulli", "p", "q"}``,
``{"scheme": "uniform", "p", "r"}``, ``{"scheme": "partition", "p", "blocks"}``,
``{"scheme": "family", "p", "batches", "probs"}``.

Examples
--------
>>> law = law_of_spec({"scheme": "uniform", "p": "3", "r": "2"})
>>> inclusion(3, law)
(Fraction(2, 3), Fraction(2, 3), Fraction(2, 3))
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any, Sequence

from nncert.core import parse_exact
from nncert.errors import InvalidCertificate

__all__ = [
    "MAX_CHECK_P",
    "MAX_LAW",
    "parse_int",
    "parse_spec",
    "law_of_spec",
    "inclusion",
    "pair_inclusion",
    "bias_coefficients",
    "variance_matrix",
    "ht_matrix",
    "row_matrix",
    "parse_law",
    "balanced_partitions",
]

#: Largest p the trusted checker accepts from a certificate.
MAX_CHECK_P = 12
#: Largest law (number of outcomes) the trusted checker enumerates.
MAX_LAW = 1 << 13

Law = list[tuple[frozenset[int], Fraction]]
Matrix = list[list[Fraction]]


def parse_int(text: object, where: str, lo: int = 0, hi: int | None = None) -> int:
    """A decimal integer string within ``[lo, hi]``."""
    if not isinstance(text, str) or not text.isdigit() or len(text) > 12 or (len(text) > 1 and text[0] == "0"):
        raise InvalidCertificate(f"{where}: expected a decimal integer string, got {str(text)[:40]!r}")
    v = int(text)
    if v < lo or (hi is not None and v > hi):
        raise InvalidCertificate(f"{where}: {v} is outside {lo}..{hi}")
    return v


def _index_list(obj: object, p: int, where: str) -> tuple[int, ...]:
    if not isinstance(obj, list):
        raise InvalidCertificate(f"{where}: expected a list of index strings")
    idx = tuple(parse_int(v, f"{where}[{k}]", 0, p - 1) for k, v in enumerate(obj))
    if len(set(idx)) != len(idx):
        raise InvalidCertificate(f"{where}: duplicate index")
    return idx


def parse_spec(spec: object, where: str = "scheme") -> dict[str, Any]:
    """Validate a scheme spec; returns parsed values (``p`` int, ``q`` Fraction, ...)."""
    if not isinstance(spec, dict) or "scheme" not in spec or "p" not in spec:
        raise InvalidCertificate(f"{where}: expected an object with 'scheme' and 'p'")
    kind = spec["scheme"]
    keys = {"full": {"scheme", "p"}, "bernoulli": {"scheme", "p", "q"}, "uniform": {"scheme", "p", "r"},
            "partition": {"scheme", "p", "blocks"}, "family": {"scheme", "p", "batches", "probs"}}
    if kind not in keys or set(spec) != keys[kind]:
        raise InvalidCertificate(f"{where}: unknown scheme or wrong fields: {sorted(spec)[:8]}")
    p = parse_int(spec["p"], f"{where}.p", 1, MAX_CHECK_P)
    out: dict[str, Any] = {"scheme": kind, "p": p}
    if kind == "bernoulli":
        q = parse_exact(spec["q"], f"{where}.q")
        if not 0 < q <= 1:
            raise InvalidCertificate(f"{where}.q outside (0, 1]")
        out["q"] = q
    elif kind == "uniform":
        out["r"] = parse_int(spec["r"], f"{where}.r", 1, p)
    elif kind == "partition":
        if not isinstance(spec["blocks"], list) or not spec["blocks"]:
            raise InvalidCertificate(f"{where}.blocks: expected a non-empty list")
        blocks = [_index_list(b, p, f"{where}.blocks[{k}]") for k, b in enumerate(spec["blocks"])]
        flat = sorted(i for b in blocks for i in b)
        if flat != list(range(p)) or any(not b for b in blocks):
            raise InvalidCertificate(f"{where}.blocks: not a partition of 0..{p - 1} into non-empty blocks")
        out["blocks"] = blocks
    elif kind == "family":
        if not isinstance(spec["batches"], list) or not isinstance(spec["probs"], list) \
                or len(spec["batches"]) != len(spec["probs"]) or not spec["batches"] or len(spec["batches"]) > MAX_LAW:
            raise InvalidCertificate(f"{where}: batches/probs must be equal-length non-empty lists")
        out["batches"] = [_index_list(b, p, f"{where}.batches[{k}]") for k, b in enumerate(spec["batches"])]
        out["probs"] = [parse_exact(q, f"{where}.probs[{k}]") for k, q in enumerate(spec["probs"])]
        if any(q < 0 for q in out["probs"]):
            raise InvalidCertificate(f"{where}.probs: negative probability")
    return out


def law_of_spec(spec: object, where: str = "scheme") -> Law:
    """The exact law ``[(B, P(B)), ...]`` of a spec (distinct ``B``, ``P(B) > 0``), enumerated here."""
    s = parse_spec(spec, where)
    p = s["p"]
    law: dict[frozenset[int], Fraction] = {}
    kind = s["scheme"]
    if kind == "full":
        law[frozenset(range(p))] = Fraction(1)
    elif kind == "bernoulli":
        q = s["q"]
        if 2**p > MAX_LAW:
            raise InvalidCertificate(f"{where}: law too large to check")
        for bits in itertools.product((0, 1), repeat=p):
            b = frozenset(i for i in range(p) if bits[i])
            law[b] = q ** len(b) * (1 - q) ** (p - len(b))
    elif kind == "uniform":
        m = math.comb(p, s["r"])
        if m > MAX_LAW:
            raise InvalidCertificate(f"{where}: law too large to check")
        for c in itertools.combinations(range(p), s["r"]):
            law[frozenset(c)] = Fraction(1, m)
    elif kind == "partition":
        n = len(s["blocks"])
        for b in s["blocks"]:
            law[frozenset(b)] = Fraction(1, n)
    else:
        for b, q in zip(s["batches"], s["probs"]):
            key = frozenset(b)
            law[key] = law.get(key, Fraction(0)) + q
    if sum(law.values(), Fraction(0)) != 1:
        raise InvalidCertificate(f"{where}: probabilities do not sum to 1")
    return [(b, q) for b, q in law.items() if q != 0]


def parse_law(obj: object, p: int, where: str = "law") -> Law:
    """An explicit law ``[[["0", "2"], "1/3"], ...]``: distinct batches, probabilities > 0 summing to 1."""
    if not isinstance(obj, list) or not obj or len(obj) > MAX_LAW:
        raise InvalidCertificate(f"{where}: expected a non-empty list of [batch, probability]")
    out: dict[frozenset[int], Fraction] = {}
    for k, item in enumerate(obj):
        if not isinstance(item, list) or len(item) != 2:
            raise InvalidCertificate(f"{where}[{k}]: expected [batch, probability]")
        b = frozenset(_index_list(item[0], p, f"{where}[{k}][0]"))
        q = parse_exact(item[1], f"{where}[{k}][1]")
        if q <= 0 or b in out:
            raise InvalidCertificate(f"{where}[{k}]: probability must be > 0 and batches distinct")
        out[b] = q
    if sum(out.values(), Fraction(0)) != 1:
        raise InvalidCertificate(f"{where}: probabilities do not sum to 1")
    return list(out.items())


def inclusion(p: int, law: Law) -> tuple[Fraction, ...]:
    """``pi_i = sum_{B containing i} P(B)``."""
    acc = [Fraction(0)] * p
    for b, q in law:
        for i in b:
            acc[i] += q
    return tuple(acc)


def pair_inclusion(p: int, law: Law) -> Matrix:
    """``pi_ij = sum_{B containing i and j} P(B)``."""
    acc = [[Fraction(0)] * p for _ in range(p)]
    for b, q in law:
        for i in b:
            for j in b:
                acc[i][j] += q
    return acc


def bias_coefficients(p: int, law: Law, weights: Sequence[Fraction]) -> tuple[Fraction, ...]:
    """``sum_{B containing i} P(B) w_i - 1``: all zero iff ``sum_{i in B} w_i f_i`` is unbiased for every ``f``."""
    pis = inclusion(p, law)
    return tuple(pis[i] * weights[i] - 1 for i in range(p))


def variance_matrix(p: int, law: Law, weights: Sequence[Fraction]) -> Matrix:
    """``Q_ij = E[a_i a_j]`` with ``a_i = [i in B] w_i - 1``: ``E|F^h - F|^2 = sum_ij Q_ij <f_i, f_j>``."""
    Q = [[Fraction(0)] * p for _ in range(p)]
    for b, q in law:
        a = [(weights[i] if i in b else 0) - 1 for i in range(p)]
        for i in range(p):
            qa = q * a[i]
            row = Q[i]
            for j in range(p):
                row[j] += qa * a[j]
    return Q


def ht_matrix(p: int, law: Law) -> Matrix:
    """``pi_ij / (pi_i pi_j) - 1`` from the law (the general HT variance identity's matrix)."""
    pis = inclusion(p, law)
    pij = pair_inclusion(p, law)
    return [[pij[i][j] / (pis[i] * pis[j]) - 1 for j in range(p)] for i in range(p)]


def _centering(p: int) -> Matrix:
    return [[Fraction(int(i == j)) - Fraction(1, p) for j in range(p)] for i in range(p)]


def _mul(a: Matrix, b: Matrix) -> Matrix:
    n = len(a)
    return [[sum((a[i][k] * b[k][j] for k in range(n)), Fraction(0)) for j in range(n)] for i in range(n)]


def row_matrix(spec: object, where: str = "scheme") -> list[tuple[str, Fraction | None, Matrix]]:
    """The specialized variance rows of the table for a spec: ``[(name, coefficient, matrix), ...]``.

    Quadratic forms in ``f`` are written as matrices: ``sum|f_i|^2 -> I``, ``|F|^2 -> J`` (all ones),
    ``sum|g_i|^2 -> C = I - J/p``, ``sum_b |S_b|^2 -> Blk`` (1 iff same block).
    """
    s = parse_spec(spec, where)
    p = s["p"]
    I = [[Fraction(int(i == j)) for j in range(p)] for i in range(p)]
    J = [[Fraction(1)] * p for _ in range(p)]
    C = _centering(p)
    kind = s["scheme"]
    if kind == "full":
        return [("Var = 0", None, [[Fraction(0)] * p for _ in range(p)])]
    if kind == "bernoulli":
        c = (1 - s["q"]) / s["q"]
        return [("Var = ((1-q)/q) sum|f_i|^2", c, [[c * v for v in row] for row in I])]
    if kind == "uniform":
        r = s["r"]
        if r == p:
            return [("Var = 0 (r = p)", None, [[Fraction(0)] * p for _ in range(p)])]
        c = Fraction(p * (p - r), r * (p - 1))
        return [("Var = p(p-r)/(r(p-1)) sum|g_i|^2", c, [[c * v for v in row] for row in C])]
    if kind == "partition":
        blocks = s["blocks"]
        n = len(blocks)
        where_ = {i: k for k, b in enumerate(blocks) for i in b}
        Blk = [[Fraction(int(where_[i] == where_[j])) for j in range(p)] for i in range(p)]
        rows = [("Var = n sum_b |S_b|^2 - |F|^2", Fraction(n),
                 [[n * Blk[i][j] - J[i][j] for j in range(p)] for i in range(p)])]
        if len({len(b) for b in blocks}) == 1:
            g = _mul(_mul(C, Blk), C)
            rows.append(("Var = n sum_b |sum_{i in B_b} g_i|^2", Fraction(n), [[n * v for v in row] for row in g]))
        return rows
    # family: sum_j q_j |sum_{i in B_j} f_i/pi_i - F|^2 over the listed (unmerged) batches
    law = [(frozenset(b), q) for b, q in zip(s["batches"], s["probs"])]
    pis = inclusion(p, law)
    if any(v == 0 for v in pis):
        raise InvalidCertificate(f"{where}: some pi_i = 0")
    M = [[Fraction(0)] * p for _ in range(p)]
    for b, q in law:
        a = [(1 / pis[i] if i in b else 0) - 1 for i in range(p)]
        for i in range(p):
            for j in range(p):
                M[i][j] += q * a[i] * a[j]
    return [("Var = sum_j q_j |sum_{i in B_j} f_i/pi_i - F|^2", None, M)]


def balanced_partitions(p: int, r: int):  # noqa: ANN201 - generator of tuples of tuples
    """Every partition of ``0..p-1`` into blocks of ``r`` (independent re-implementation for checkers)."""
    def rec(rest: list[int]):  # noqa: ANN202
        if not rest:
            yield []
            return
        head = rest[0]
        for mates in itertools.combinations(rest[1:], r - 1):
            left = [i for i in rest[1:] if i not in mates]
            for tail in rec(left):
                yield [(head, *mates)] + tail

    yield from (tuple(x) for x in rec(list(range(p))))
