"""Width-2 exact memorization by peeling label runs (paper 1, part 1; ``docs/memorization.md``).

Construction (the design note's peel construction, with direction search):

1. Pick an integer direction ``u`` with pairwise distinct ``u.x_i`` that minimizes the *peel cost*
   ``sum over maximal label runs along u of min(run size, 2)``. Candidates: coordinate axes,
   class-centroid differences and a Fisher/LDA direction rounded to small integers at several
   scales, and seeded random small integer vectors. Candidates are *scored* in float64 (a
   heuristic only); the chosen one is then checked exactly (distinct exact projections), and the
   network is built from exact projections.
2. ``z_i = u.x_i + s`` with ``s`` making ``min z = M``, so every unfinished value exceeds every label.
3. Peel runs from the largest z down. One hidden layer is ``(relu(v), relu(v - t))`` and the next
   state is ``v' = relu(v) + c relu(v - t)``: values ``<= t`` stay, values ``> t`` move by
   ``v -> v + c (v - t)``. A single point q goes to its label in one layer; a run of k >= 2 points
   is collapsed to ``t`` (``c = -1``) and then moved to its label (two layers).

Depth (hidden layers) = peel cost <= N <= 2N + 4M - 1. One class: a constant width-2 network.
Cost: O(N d) exact work for projections, O(N log N) sort, O(#layers) Fractions for the network.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Sequence

import numpy as np

from nncert.core import Network
from nncert.data import Dataset, from_arrays
from nncert.errors import InvalidArgument

__all__ = ["PeelResult", "memorize", "peel", "peel_cost", "depth_bound"]


def depth_bound(n: int, m: int) -> int:
    """Paper 1's depth bound ``2N + 4M - 1``.

    Examples
    --------
    >>> depth_bound(149, 3)
    309
    """
    return 2 * n + 4 * m - 1


@dataclass(frozen=True)
class PeelResult:
    """A peel network with everything a report needs."""

    network: Network
    dataset: Dataset
    direction: tuple[int, ...]
    shift: Fraction
    runs: int
    peel_cost: int
    candidates_tried: int
    seconds: float
    thresholds: tuple[Fraction, ...] = field(repr=False, default=())
    slopes: tuple[Fraction, ...] = field(repr=False, default=())

    @property
    def depth(self) -> int:
        """Hidden layers of the network."""
        return self.network.depth

    @property
    def bound(self) -> int:
        """2N + 4M - 1 for this data set."""
        return depth_bound(self.dataset.n, self.dataset.m)


def peel_cost(labels_in_order: Sequence[int]) -> tuple[int, int]:
    """(number of label runs, sum of min(run size, 2)) of a label sequence.

    Examples
    --------
    >>> peel_cost([0, 0, 0, 1, 0, 2, 2])
    (4, 6)
    """
    runs = cost = 0
    size = 0
    prev = None
    for lab in labels_in_order:
        if lab == prev:
            size += 1
        else:
            if prev is not None:
                cost += min(size, 2)
            runs += 1
            size = 1
            prev = lab
    cost += min(size, 2) if prev is not None else 0
    return runs, cost


def _float_cost(Z: np.ndarray, y: np.ndarray) -> int:
    order = np.argsort(Z, kind="stable")
    ys = y[order]
    change = np.flatnonzero(ys[1:] != ys[:-1])
    sizes = np.diff(np.concatenate(([0], change + 1, [len(ys)])))
    return int(np.minimum(sizes, 2).sum())


def _round_dir(v: np.ndarray, scale: int) -> tuple[int, ...] | None:
    top = float(np.max(np.abs(v))) if v.size else 0.0
    if not math.isfinite(top) or top == 0.0:
        return None
    r = np.rint(v / top * scale).astype(np.int64)
    if not r.any():
        return None
    g = int(np.gcd.reduce(np.abs(r[r != 0])))
    return tuple(int(x) // g for x in r)


def _candidates(Xf: np.ndarray, y: np.ndarray, m: int, rng: np.random.Generator, n_random: int) -> list[tuple[int, ...]]:
    n, d = Xf.shape
    cands: list[tuple[int, ...]] = []
    for j in range(d):
        e = [0] * d
        e[j] = 1
        cands.append(tuple(e))
    # Standardize so rounding treats coordinates fairly (heuristic only).
    mu = Xf.mean(axis=0)
    sd = Xf.std(axis=0)
    sd[sd == 0] = 1.0
    cents = np.array([Xf[y == k].mean(axis=0) for k in range(m)])
    dirs: list[np.ndarray] = []
    for a in range(m):
        for b in range(a + 1, min(m, a + 6)):
            dirs.append(cents[b] - cents[a])
    # Fisher / LDA: leading eigenvectors of Sw^-1 Sb (regularized).
    try:
        Sw = np.zeros((d, d))
        for k in range(m):
            D = Xf[y == k] - cents[k]
            Sw += D.T @ D
        Sw += 1e-6 * np.trace(Sw) / max(d, 1) * np.eye(d) + 1e-12 * np.eye(d)
        diff = cents - mu
        counts = np.array([(y == k).sum() for k in range(m)], dtype=float)
        Sb = (diff.T * counts) @ diff
        evals, evecs = np.linalg.eig(np.linalg.solve(Sw, Sb))
        order = np.argsort(-evals.real)
        for idx in order[: min(3, d)]:
            dirs.append(evecs[:, idx].real)
    except (np.linalg.LinAlgError, ValueError):
        pass
    # Ridge regression of the class index (and of the class rank along the first LDA direction):
    # a direction along which labels come out nearly sorted has few runs.
    try:
        Xs = (Xf - mu) / sd
        A = np.hstack([Xs, np.ones((n, 1))])
        targets = [y.astype(float)]
        if len(dirs) > 0 and np.all(np.isfinite(dirs[-1])):
            rank = np.argsort(np.argsort(cents @ dirs[-1]))
            targets.append(rank[y].astype(float))
        G = A.T @ A
        for lam in (1e-3, 1.0, 100.0):
            for tgt in targets:
                w = np.linalg.solve(G + lam * np.eye(d + 1), A.T @ tgt)[:d] / sd
                dirs.append(w)
    except (np.linalg.LinAlgError, ValueError):
        pass
    for v in dirs:
        if not np.all(np.isfinite(v)):
            continue
        for scale in ((3, 8, 30, 200, 5000) if n <= 20000 else (8, 200, 5000)):
            r = _round_dir(v, scale)
            if r is not None:
                cands.append(r)
    for _ in range(n_random):
        r = rng.integers(-9, 10, size=d)
        if r.any():
            cands.append(tuple(int(x) for x in r))
    return list(dict.fromkeys(cands))


def _exact_projection(ds: Dataset, u: Sequence[int]) -> tuple[list[int], int] | None:
    """Exact u.x_i for every point as integers k_i over one denominator q (u.x_i = k_i / q),
    or None if two coincide."""
    d = ds.d
    col_den = [1] * d
    for p in ds.points:
        for j, v in enumerate(p):
            if v.denominator != 1 and u[j]:
                col_den[j] = col_den[j] * v.denominator // math.gcd(col_den[j], v.denominator)
    q = 1
    for c in col_den:
        q = q * c // math.gcd(q, c)
    fac = [u[j] * (q // col_den[j]) for j in range(d)]
    ints = []
    for p in ds.points:
        k = 0
        for j, v in enumerate(p):
            if fac[j]:
                k += fac[j] * (v.numerator * (col_den[j] // v.denominator))
        ints.append(k)
    if len(set(ints)) != len(ints):
        return None
    return ints, q


class _LazyZ:
    """z values in sorted order, made Fractions only when the construction reads them."""

    def __init__(self, ints: list[int], order: list[int], q: int, shift: Fraction) -> None:
        self.ints, self.order, self.q, self.shift = ints, order, q, shift

    def __getitem__(self, i: int) -> Fraction:
        return Fraction(self.ints[self.order[i]], self.q) + self.shift


def peel(
    data: Dataset,
    *,
    seed: int = 0,
    n_random: int = 48,
    direction: Sequence[int] | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> PeelResult:
    """Build the width-2 peel network for ``data`` and return it with its construction record.

    ``direction`` forces the projection (it must separate all points exactly); otherwise candidates
    are searched with a ``numpy.random.Generator`` seeded by ``seed``.

    Examples
    --------
    >>> from nncert.data import from_arrays
    >>> res = peel(from_arrays([[0], [1], [2], [3]], [0, 1, 1, 0]))
    >>> res.network.width, res.depth <= res.bound
    (2, True)
    """
    t0 = time.perf_counter()
    n, d, m = data.n, data.d, data.m
    labels = data.labels
    if m == 1:
        zero = Fraction(0)
        net = Network(((tuple(zero for _ in range(d)),) * 2, ((zero, zero),)), ((zero, zero), (zero,)))
        return PeelResult(net, data, tuple([0] * d), zero, 1, 0, 0, time.perf_counter() - t0)
    rng = np.random.default_rng(seed)
    y = np.asarray(labels)
    if direction is not None:
        if len(direction) != d or not all(isinstance(v, (int, np.integer)) for v in direction):
            raise InvalidArgument(f"direction must be {d} integers, got {direction!r}")
        cands = [tuple(int(v) for v in direction)]
    else:
        Xf = np.array([[float(v) for v in p] for p in data.points])
        cands = _candidates(Xf, y, m, rng, n_random if n <= 20000 else min(n_random, 12))
        # Float scores order the candidates; exact projections decide distinctness.
        scored = []
        for u in cands:
            Z = Xf @ np.asarray(u, dtype=float)
            scored.append((_float_cost(Z, y), u))
        scored.sort(key=lambda t: t[0])
        cands = [u for _, u in scored]
    if progress:
        progress("direction search", 0.3)
    z = None
    tried = 0
    u: tuple[int, ...] = cands[0]
    for base in cands:
        tried += 1
        u = base
        z = _exact_projection(data, u)
        if z is None and direction is None:
            # Exact ties (common on integer data): break them with a small second-order term,
            # K*u + r, which keeps the order of already distinct projections for large K.
            for _ in range(3):
                r = rng.integers(-3, 4, size=d)
                u = tuple(int(10**6 * a + b) for a, b in zip(base, r))
                z = _exact_projection(data, u)
                if z is not None:
                    break
        if z is not None:
            break
    while z is None:  # random retries: a collision set is a finite union of hyperplanes
        if direction is not None:
            raise InvalidArgument(f"direction {tuple(direction)} maps two distinct points to the same value")
        u = tuple(int(v) for v in rng.integers(-(10 ** (2 + tried // 20)), 10 ** (2 + tried // 20) + 1, size=d))
        tried += 1
        if any(u):
            z = _exact_projection(data, u)
    ints, q = z
    order = sorted(range(n), key=ints.__getitem__)  # integer sort: the exact order of u.x
    ys = [labels[i] for i in order]
    shift = Fraction(m) - Fraction(ints[order[0]], q)
    zs = _LazyZ(ints, order, q, shift)
    runs, cost = peel_cost(ys)
    # Maximal label runs in increasing z: (start index, size, label).
    run_list: list[tuple[int, int, int]] = []
    i = 0
    while i < n:
        j = i
        while j + 1 < n and ys[j + 1] == ys[i]:
            j += 1
        run_list.append((i, j - i + 1, ys[i]))
        i = j + 1
    steps: list[tuple[Fraction, Fraction]] = []  # (threshold t_k, slope c_k) per hidden layer
    for start, size, lab in reversed(run_list):
        low = zs[start]
        # p: the next unfinished value below this run, or the largest label value if none.
        p = zs[start - 1] if start > 0 else Fraction(m - 1)
        target = Fraction(lab)
        t = (low + p) / 2
        if size == 1:
            steps.append((t, (target - low) / (low - t)))
        else:
            steps.append((t, Fraction(-1)))
            t2 = (t + p) / 2
            steps.append((t2, (target - t) / (t - t2)))
    if progress:
        progress("layers", 0.8)
    one, zero = Fraction(1), Fraction(0)
    u_row = tuple(Fraction(v) for v in u)
    weights: list[tuple] = [(u_row, u_row)]
    biases: list[tuple] = [(shift, shift - steps[0][0])]
    for k in range(1, len(steps)):
        c_prev = steps[k - 1][1]
        weights.append(((one, c_prev), (one, c_prev)))
        biases.append((zero, -steps[k][0]))
    weights.append(((one, steps[-1][1]),))
    biases.append((zero,))
    net = Network(tuple(weights), tuple(biases))
    return PeelResult(
        net,
        data,
        tuple(int(v) for v in u_row),
        shift,
        runs,
        cost,
        tried,
        time.perf_counter() - t0,
        tuple(t for t, _ in steps),
        tuple(c for _, c in steps),
    )


def memorize(X: Any, y: Sequence[object] | None = None, *, seed: int = 0) -> Network:
    """A width-2 ReLU network with ``f(x_i) = class index of y_i`` exactly; depth <= 2N+4M-1.

    ``X`` is a :class:`~nncert.data.Dataset` (then ``y`` is None) or anything
    :func:`nncert.data.from_arrays` accepts. Use :func:`peel` for the construction record.

    Examples
    --------
    >>> net = memorize([[0, 0], [1, 1], [0, 1], [1, 0]], [0, 0, 1, 1])   # XOR
    >>> [net(p)[0] for p in ([0, 0], [1, 1], [0, 1], [1, 0])]
    [Fraction(0, 1), Fraction(0, 1), Fraction(1, 1), Fraction(1, 1)]
    """
    data = X if isinstance(X, Dataset) and y is None else from_arrays(X, y)  # type: ignore[arg-type]
    return peel(data, seed=seed).network
