"""Exact evaluation of any :class:`~nncert.core.Network` on many points (trusted path).

Two evaluators that share no code beyond :class:`Network`:

* :func:`evaluate_naive`: Fraction arithmetic, point by point, layer by layer: O(N x L).
* :func:`evaluate_many`: the fast one. It never trusts where the network came from; it only
  exploits two facts true of every ReLU network:

  1. Points that reach the same exact state stay together: they are kept as one *constant group*
     (integer numerators over one denominator, reduced, so equal states have equal keys).
  2. If the first layer has rank <= 1 (rows all multiples of one row ``r``), every point's state
     is an affine function of its scalar key ``k = r.x`` (scaled to an integer). Points are sorted
     by key once; a *block* is a contiguous key range with one lazy affine map ``a*k + c``. A ReLU
     layer splits a block at <= width breakpoints (binary search); a block whose map becomes
     constant (or that holds one key) turns into a constant group.

  On peel networks (``nncert.constructions``) the work per layer is O(#classes + log N) instead of
  O(N). On other networks it is still exact, just slower (rank >= 2: all points start as groups).

This module imports nothing from :mod:`nncert.constructions`.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Sequence

from nncert.core import Network, Status, Verdict, fmt
from nncert.errors import InvalidArgument

__all__ = [
    "evaluate",
    "evaluate_naive",
    "evaluate_many",
    "ClassificationResult",
    "check_classification",
]

Point = tuple[Fraction, ...]


def evaluate(net: Network, x: Sequence[object]) -> tuple[Fraction, ...]:
    """Evaluate ``net`` at one point in exact arithmetic.

    Examples
    --------
    >>> evaluate(Network.from_rows([[[1, -1]]], [[0]]), [Fraction(1, 2), 1])
    (Fraction(-1, 2),)
    """
    return net(x)


def evaluate_naive(net: Network, points: Sequence[Sequence[Fraction]]) -> list[tuple[Fraction, ...]]:
    """Baseline: Fraction layer-by-layer evaluation of every point (O(N x L))."""
    return [net(p) for p in points]


def _check_points(net: Network, points: Sequence[Sequence[Fraction]]) -> None:
    d = net.input_dim
    for i, p in enumerate(points):
        if len(p) != d:
            raise InvalidArgument(f"point {i} has {len(p)} coordinates but the network takes {d}")
        for j, v in enumerate(p):
            if type(v) is not Fraction:
                raise InvalidArgument(f"point {i} coordinate {j} is {type(v).__name__}, expected Fraction")


def _int_layer(w: tuple, b: tuple) -> tuple[list[list[int]], list[int], int]:
    """Layer with a common denominator D: W = Wn/D, b = bn/D."""
    den = 1
    for row in w:
        for v in row:
            den = den * v.denominator // math.gcd(den, v.denominator)
    for v in b:
        den = den * v.denominator // math.gcd(den, v.denominator)
    wn = [[v.numerator * (den // v.denominator) for v in row] for row in w]
    bn = [v.numerator * (den // v.denominator) for v in b]
    return wn, bn, den


def _reduce(nums: list[int], den: int) -> tuple[tuple[int, ...], int]:
    g = den
    for v in nums:
        if g == 1:
            break
        g = math.gcd(g, v)
    if g != 1:
        return tuple(v // g for v in nums), den // g
    return tuple(nums), den


def _rank_one(w: tuple) -> tuple[Point, list[Fraction]] | None:
    """If every row of ``w`` is a multiple of one row r, return (r, multipliers); else None."""
    base = next((row for row in w if any(row)), None)
    if base is None:
        return None
    j0 = next(j for j, v in enumerate(base) if v)
    lams = []
    for row in w:
        lam = row[j0] / base[j0]
        if any(rv != lam * bv for rv, bv in zip(row, base)):
            return None
        lams.append(lam)
    return base, lams


@dataclass
class _Block:
    """Keys[lo:hi] whose pre-activation is (a * key + c) / den, all integers, den > 0."""

    lo: int
    hi: int
    a: list[int]
    c: list[int]
    den: int


def _block_from_fractions(lo: int, hi: int, a: Sequence[Fraction], c: Sequence[Fraction]) -> _Block:
    den = 1
    for v in list(a) + list(c):
        den = den * v.denominator // math.gcd(den, v.denominator)
    return _Block(lo, hi, [v.numerator * (den // v.denominator) for v in a],
                  [v.numerator * (den // v.denominator) for v in c], den)


def evaluate_many(
    net: Network,
    points: Sequence[Sequence[Fraction]],
    progress: Callable[[int, int], None] | None = None,
) -> list[tuple[Fraction, ...]]:
    """Exact outputs of ``net`` at every point (Fractions in, Fractions out), fast on narrow deep nets.

    ``progress(layer, depth)`` is called now and then for long runs.

    Examples
    --------
    >>> net = Network.from_rows([[[1, 0], [1, 0]], [[1, -2]]], [[0, -1], [0]])
    >>> pts = [(Fraction(k, 2), Fraction(0)) for k in range(4)]
    >>> evaluate_many(net, pts) == evaluate_naive(net, pts)
    True
    """
    _check_points(net, points)
    n = len(points)
    if n == 0:
        return []
    depth = net.depth
    if depth == 0:
        return evaluate_naive(net, points)

    # Constant groups: (numerators, denominator) of the current pre-activation -> list of key ranges.
    consts: dict[tuple[tuple[int, ...], int], list[tuple[int, int]]] = {}
    blocks: list[_Block] = []

    rank = _rank_one(net.weights[0])
    if rank is not None:
        r, lams = rank
        # Scale keys to integers: k_i = q * (r . x_i), q = lcm(denominators of r) * lcm(column denominators).
        dens = 1
        for v in r:
            dens = dens * v.denominator // math.gcd(dens, v.denominator)
        col_den = [1] * len(r)
        for p in points:
            for j, v in enumerate(p):
                if r[j] and v.denominator != 1:
                    cd = col_den[j]
                    col_den[j] = cd * v.denominator // math.gcd(cd, v.denominator)
        lcol = 1
        for cd in col_den:
            lcol = lcol * cd // math.gcd(lcol, cd)
        q = dens * lcol
        # q * r_j = mult_j * col_den_j with mult_j an integer, and x_j * col_den_j is an integer.
        mult = [(r[j] * q / col_den[j]).numerator for j in range(len(r))]
        keyed: list[tuple[int, int]] = []
        for i, p in enumerate(points):
            k = 0
            for j, v in enumerate(p):
                if mult[j]:
                    k += mult[j] * (v.numerator * (col_den[j] // v.denominator))
            keyed.append((k, i))
        keyed.sort()
        keys: list[int] = []
        members: list[list[int]] = []
        for k, i in keyed:
            if keys and keys[-1] == k:
                members[-1].append(i)
            else:
                keys.append(k)
                members.append([i])
        a0 = [lam / q for lam in lams]
        blocks.append(_block_from_fractions(0, len(keys), a0, net.biases[0]))
    else:
        # Rank >= 2 (or zero) first layer: every distinct point starts as its own constant group.
        keys = list(range(n))
        members = [[i] for i in range(n)]
        wn, bn, den = _int_layer(net.weights[0], net.biases[0])
        for i, p in enumerate(points):
            pd = 1
            for v in p:
                pd = pd * v.denominator // math.gcd(pd, v.denominator)
            xs = [v.numerator * (pd // v.denominator) for v in p]
            nums = [sum(wr * xv for wr, xv in zip(row, xs)) + bi * pd for row, bi in zip(wn, bn)]
            key = _reduce(nums, den * pd)
            consts.setdefault(key, []).append((i, i + 1))

    last = depth  # index of the output layer
    for layer in range(1, last + 1):
        if progress is not None and layer % 2048 == 0:
            progress(layer, depth)
        w, b = net.weights[layer], net.biases[layer]
        wn, bn, den = _int_layer(w, b)
        # --- ReLU on every block: split at breakpoints, turn constant parts into groups.
        new_blocks: list[_Block] = []
        relu_consts: list[tuple[list[int], int, int, int]] = []  # (numerators, den, lo, hi) before ReLU
        mapped_consts: list[tuple[list[int], int, int, int]] = []  # already through this layer's map
        for blk in blocks:
            cuts = {blk.lo, blk.hi}
            for ar, cr in zip(blk.a, blk.c):
                if ar:
                    # keys <= floor(-cr/ar) go left; at a key equal to -cr/ar the value is exactly 0
                    kfloor = (-cr) // ar if ar > 0 else cr // (-ar)
                    cuts.add(bisect_right(keys, kfloor, blk.lo, blk.hi))
            bounds = sorted(cuts)
            for s_, e_ in zip(bounds, bounds[1:]):
                if s_ == e_:
                    continue
                k_lo, k_hi = keys[s_], keys[e_ - 1]
                na, nc = [], []
                for ar, cr in zip(blk.a, blk.c):
                    # the sign of ar*k + cr is constant (or 0) on [k_lo, k_hi]: test both ends
                    v_lo = ar * k_lo + cr
                    v_hi = ar * k_hi + cr
                    if v_lo >= 0 and v_hi >= 0:
                        na.append(ar)
                        nc.append(cr)
                    elif v_lo <= 0 and v_hi <= 0:
                        na.append(0)
                        nc.append(0)
                    else:  # pragma: no cover - would be a bug in the splitting
                        raise RuntimeError("internal error: ReLU breakpoint not split")
                if e_ - s_ == 1 or not any(na):
                    relu_consts.append(([ai * k_lo + ci for ai, ci in zip(na, nc)], blk.den, s_, e_))
                else:
                    new_blocks.append(_Block(s_, e_, na, nc, blk.den))
        # --- next affine map on blocks: (W a k + W c + b den)/(D den), integers.
        blocks = []
        for blk in new_blocks:
            a2 = [sum(wr * ai for wr, ai in zip(row, blk.a)) for row in wn]
            c2 = [sum(wr * ci for wr, ci in zip(row, blk.c)) + bi * blk.den for row, bi in zip(wn, bn)]
            d2 = den * blk.den
            g = d2
            for v in a2:
                g = math.gcd(g, v)
            for v in c2:
                g = math.gcd(g, v)
            if g > 1:
                a2 = [v // g for v in a2]
                c2 = [v // g for v in c2]
                d2 //= g
            if any(a2):
                blocks.append(_Block(blk.lo, blk.hi, a2, c2, d2))
            else:
                mapped_consts.append((c2, d2, blk.lo, blk.hi))
        # --- ReLU + next affine map on constant groups, in integers.
        new_consts: dict[tuple[tuple[int, ...], int], list[tuple[int, int]]] = {}

        def add(key: tuple[tuple[int, ...], int], ranges: list[tuple[int, int]]) -> None:
            have = new_consts.get(key)
            if have is None:
                new_consts[key] = ranges
            elif len(have) >= len(ranges):
                have.extend(ranges)
            else:
                ranges.extend(have)
                new_consts[key] = ranges

        for (nums, d0), ranges in consts.items():
            h = [v if v > 0 else 0 for v in nums]
            out = [sum(wr * hv for wr, hv in zip(row, h)) + bi * d0 for row, bi in zip(wn, bn)]
            add(_reduce(out, den * d0), ranges)
        for nums, d0, s_, e_ in mapped_consts:
            add(_reduce(nums, d0), [(s_, e_)])
        for nums, d0, s_, e_ in relu_consts:
            h = [v if v > 0 else 0 for v in nums]
            out = [sum(wr * hv for wr, hv in zip(row, h)) + bi * d0 for row, bi in zip(wn, bn)]
            add(_reduce(out, den * d0), [(s_, e_)])
        consts = new_consts

    # After the loop, blocks/consts hold the *output layer's* values (no ReLU after it).
    result: list[tuple[Fraction, ...] | None] = [None] * n
    for (nums, d0), ranges in consts.items():
        val = tuple(Fraction(v, d0) for v in nums)
        for s, e in ranges:
            for j in range(s, e):
                for i in members[j]:
                    result[i] = val
    for blk in blocks:
        for j in range(blk.lo, blk.hi):
            k = keys[j]
            val = tuple(Fraction(ai * k + ci, blk.den) for ai, ci in zip(blk.a, blk.c))
            for i in members[j]:
                result[i] = val
    return result  # type: ignore[return-value]


@dataclass(frozen=True)
class ClassificationResult:
    """Exact classification check: the verdict and every point's exact output."""

    verdict: Verdict
    outputs: tuple[tuple[Fraction, ...], ...]
    wrong: tuple[int, ...]


def check_classification(
    net: Network,
    points: Sequence[Sequence[Fraction]],
    labels: Sequence[int],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> ClassificationResult:
    """Does ``net`` output exactly ``labels[i]`` at ``points[i]`` for every i? (Exact, three-valued.)

    Examples
    --------
    >>> net = Network.from_rows([[[1]]], [[0]])          # affine f(x) = x
    >>> r = check_classification(net, [(Fraction(0),), (Fraction(1),)], [0, 1])
    >>> r.verdict.status.value, r.wrong
    ('HOLDS', ())
    >>> check_classification(net, [(Fraction(2),)], [1]).verdict.counterexample
    {'point': '0', 'output': '2', 'expected': '1'}
    """
    if len(points) != len(labels):
        raise InvalidArgument(f"{len(points)} points but {len(labels)} labels")
    if net.output_dim != 1:
        v = Verdict(Status.REFUTED, "exact classification", reason=f"network has {net.output_dim} outputs, expected 1",
                    counterexample={"output_dim": str(net.output_dim)})
        return ClassificationResult(v, (), tuple(range(len(points))))
    outs = evaluate_many(net, points, progress=progress)
    wrong = tuple(i for i, (o, lab) in enumerate(zip(outs, labels)) if o[0] != lab)
    if wrong:
        i = wrong[0]
        v = Verdict(
            Status.REFUTED,
            "exact classification",
            evidence=f"{len(points) - len(wrong)}/{len(points)} points exact",
            reason=f"{len(wrong)} point(s) misclassified, first: point {i}",
            counterexample={"point": str(i), "output": fmt(outs[i][0]), "expected": str(labels[i])},
        )
    else:
        v = Verdict(Status.HOLDS, "exact classification", evidence=f"f(x_i) = y_i exactly at all {len(points)} points")
    return ClassificationResult(v, tuple(outs), wrong)
