"""Batch design (untrusted search): balanced partitions minimizing/maximizing ``sum_b sum_{i,j in B_b} G_ij``.

* :func:`enumerate_extremes` -- exact optimum and adversarial (maximum) partition by enumerating every
  balanced partition (``p <= 12``); objective values screened in float64, the near-ties re-evaluated
  exactly in Fractions so the returned extremes are exact;
* :func:`ilp_extreme` -- an exact 0/1 ILP (scipy HiGHS ``milp``) on the pair variables
  ``y_ij = [i, j in the same block]`` with transitivity and degree ``r-1`` constraints (float objective;
  an independent cross-check of the enumeration for small ``p``);
* :func:`local_search` -- swap local search from seeded random starts, for large ``p``.

The trusted checker of ``P2.batch_design`` re-enumerates on its own; nothing here is trusted.

Examples
--------
>>> from fractions import Fraction as F
>>> G = [[F(2), F(-1), F(-1), F(0)], [F(-1), F(2), F(0), F(-1)], [F(-1), F(0), F(2), F(-1)], [F(0), F(-1), F(-1), F(2)]]
>>> res = enumerate_extremes(G, 2)
>>> res["min_blocks"], res["min_value"], res["max_value"], res["count"]
(((0, 1), (2, 3)), Fraction(4, 1), Fraction(8, 1), 3)
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from nncert.errors import InvalidArgument

__all__ = ["all_balanced_partitions", "enumerate_extremes", "ilp_extreme", "local_search", "MAX_ENUM_P"]

#: Largest p for exhaustive enumeration.
MAX_ENUM_P = 12


def all_balanced_partitions(p: int, r: int) -> list[tuple[tuple[int, ...], ...]]:
    """Every partition of ``0..p-1`` into blocks of size ``r`` (block order canonical)."""
    if isinstance(r, bool) or not isinstance(r, int) or r < 1 or p % r:
        raise InvalidArgument(f"r must be a positive divisor of p={p} but got r={r!r}")
    out: list[tuple[tuple[int, ...], ...]] = []

    def rec(rest: tuple[int, ...], acc: list[tuple[int, ...]]) -> None:
        if not rest:
            out.append(tuple(acc))
            return
        head = rest[0]
        for mates in itertools.combinations(rest[1:], r - 1):
            block = (head,) + mates
            rec(tuple(i for i in rest if i not in block), acc + [block])

    rec(tuple(range(p)), [])
    return out


def _obj_exact(G: Sequence[Sequence[Fraction]], blocks: Sequence[Sequence[int]]) -> Fraction:
    return sum((G[i][j] for b in blocks for i in b for j in b), Fraction(0))


def enumerate_extremes(G: Sequence[Sequence[Fraction]], r: int) -> dict[str, Any]:
    """Exact minimum and maximum of the partition objective over all balanced partitions, and their mean."""
    p = len(G)
    if p > MAX_ENUM_P:
        raise InvalidArgument(f"p={p} is too large to enumerate (limit {MAX_ENUM_P}); use local_search")
    parts = all_balanced_partitions(p, r)
    A = np.array([[float(v) for v in row] for row in G])
    idx = np.array([[i for b in P for i in b] for P in parts])  # (K, p), blocks consecutive
    n = p // r
    vals = np.zeros(len(parts))
    for b in range(n):
        cols = idx[:, b * r:(b + 1) * r]
        vals += A[cols[:, :, None], cols[:, None, :]].sum(axis=(1, 2))
    scale = max(1.0, float(np.abs(A).sum()))
    tol = 1e-9 * scale
    res: dict[str, Any] = {"count": len(parts)}
    for key, pick in (("min", np.min), ("max", np.max)):
        target = pick(vals)
        cand = np.flatnonzero(np.abs(vals - target) <= tol)
        exact = [(_obj_exact(G, parts[k]), k) for k in cand]
        best = min(exact) if key == "min" else max(exact)
        res[f"{key}_value"] = best[0]
        res[f"{key}_blocks"] = parts[best[1]]
    res["mean_value"] = sum((_obj_exact(G, P) for P in parts), Fraction(0)) / len(parts) if p <= 8 else None
    res["mean_float"] = float(vals.mean())
    return res


def ilp_extreme(G: Any, r: int, maximize: bool = False) -> tuple[tuple[int, ...], ...]:
    """Exact ILP (scipy ``milp``) for the best/worst balanced partition (float objective)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    A = np.asarray(G, dtype=np.float64)
    p = A.shape[0]
    if p % r:
        raise InvalidArgument(f"r={r} does not divide p={p}")
    pairs = list(itertools.combinations(range(p), 2))
    col = {pr: k for k, pr in enumerate(pairs)}
    m = len(pairs)
    if m == 0:
        return ((0,),)
    c = np.array([2 * A[i, j] for i, j in pairs]) * (-1 if maximize else 1)
    rows, lo, hi = [], [], []
    for i in range(p):  # degree: i has r-1 block mates
        row = np.zeros(m)
        for j in range(p):
            if j != i:
                row[col[(min(i, j), max(i, j))]] = 1
        rows.append(row); lo.append(r - 1); hi.append(r - 1)
    for i, j, k in itertools.combinations(range(p), 3):  # transitivity
        a, b, cc = col[(i, j)], col[(j, k)], col[(i, k)]
        for x, y, z in ((a, b, cc), (a, cc, b), (b, cc, a)):
            row = np.zeros(m)
            row[x] = 1; row[y] = 1; row[z] = -1
            rows.append(row); lo.append(-np.inf); hi.append(1)
    res = milp(c, constraints=LinearConstraint(np.array(rows), lo, hi), integrality=np.ones(m),
               bounds=Bounds(0, 1))
    if res.x is None:  # pragma: no cover - feasible by construction
        raise InvalidArgument(f"ILP failed: {res.message}")
    y = np.round(res.x).astype(int)
    blocks: list[tuple[int, ...]] = []
    seen: set[int] = set()
    for i in range(p):
        if i in seen:
            continue
        blk = (i,) + tuple(j for j in range(i + 1, p) if y[col[(i, j)]])
        seen.update(blk)
        blocks.append(blk)
    return tuple(blocks)


def local_search(G: Any, r: int, rng: np.random.Generator, restarts: int = 8, maximize: bool = False,
                 max_rounds: int = 200) -> tuple[tuple[tuple[int, ...], ...], float]:
    """Best-improvement pairwise-swap local search from ``restarts`` seeded random balanced partitions (numeric)."""
    if not isinstance(rng, np.random.Generator):
        raise InvalidArgument("rng must be a numpy.random.Generator")
    A = np.asarray(G, dtype=np.float64)
    p = A.shape[0]
    if r < 1 or p % r:
        raise InvalidArgument(f"r={r} must divide p={p}")
    sgn = -1.0 if maximize else 1.0
    best: tuple[float, np.ndarray] | None = None
    for _ in range(max(1, restarts)):
        lab = np.repeat(np.arange(p // r), r)[rng.permutation(p)]
        for _ in range(max_rounds):
            # S[i, b] = sum_{j in block b} A_ij
            onehot = np.eye(p // r)[lab]
            Sib = A @ onehot
            own = Sib[np.arange(p), lab]
            M1 = Sib[:, lab]  # M1[i, j] = sum_{k in block(j)} A_ik
            dg = np.diag(A)
            # objective change when i and j (different blocks) swap blocks
            delta = 2 * (M1 - own[:, None] + dg[:, None] + M1.T - own[None, :] + dg[None, :] - 2 * A)
            mask = lab[:, None] != lab[None, :]
            delta = np.where(mask, sgn * delta, np.inf)
            k = np.argmin(delta)
            i, j = divmod(int(k), p)
            if delta[i, j] >= -1e-12:
                break
            lab[i], lab[j] = lab[j], lab[i]
        val = float(sum(A[np.ix_(lab == b, lab == b)].sum() for b in range(p // r)))
        if best is None or sgn * val < sgn * best[0]:
            best = (val, lab.copy())
    assert best is not None
    val, lab = best
    blocks = tuple(sorted(tuple(int(i) for i in np.flatnonzero(lab == b)) for b in range(p // r)))
    return blocks, val


_ = math
