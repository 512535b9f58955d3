"""Integrated variance Lambda, the Gram matrix G and lower bounds for batch design (``random_batch.md`` section 4).

Contributions are an array ``f`` of shape ``(T, N, p, d)``: time grid index, data point, neuron,
component (the values ``f_i(t_j, x_m(t_j))`` along full-model trajectories); ``t`` is the time grid
(length ``T``, increasing, non-uniform allowed). Time integrals use the trapezoid rule.

* ``H_ij = int (1/N) sum_m <f_i, f_j> dt`` and ``G_ij = int (1/N) sum_m <g_i, g_j> dt`` with
  ``g_i = f_i - F/p``; ``G`` is PSD with zero row sums.
* ``Lambda = sum_ij (pi_ij/(pi_i pi_j) - 1) H_ij`` (general HT); rows: Bernoulli ``((1-q)/q) tr H``,
  uniform ``p(p-r)/(r(p-1)) tr G``, disjoint partition ``n sum_b sum_{i,j in B_b} H_ij - sum_ij H_ij``
  (= ``n sum_b sum_{i,j in B_b} G_ij`` when balanced).

Exact versions (``*_exact``) take Fractions (floats converted exactly with ``Fraction(float)``);
``*_float`` versions are numeric (float64). This module is a checker: no constructions imported.

Examples
--------
>>> import numpy as np
>>> f = np.zeros((2, 1, 2, 1)); f[:, 0, 0, 0] = 1.0      # f_0 = 1, f_1 = 0 at both times
>>> G = gram_exact(f, [0.0, 1.0], centred=True)
>>> G
[[Fraction(1, 4), Fraction(-1, 4)], [Fraction(-1, 4), Fraction(1, 4)]]
>>> lambda_partition_exact(G, [[0], [1]]), lambda_uniform_exact(G, 1)
(Fraction(1, 1), Fraction(1, 1))
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from nncert.errors import InvalidArgument

__all__ = [
    "check_contributions",
    "trapezoid_weights_exact",
    "gram_exact",
    "gram_float",
    "lambda_partition_exact",
    "lambda_uniform_exact",
    "lambda_bernoulli_exact",
    "lambda_ht_exact",
    "partition_objective_exact",
    "row_lower_bound_exact",
    "spectral_lower_bound",
    "MAX_EXACT_WORK",
]

#: Largest T*N*p*p*d for which the exact Gram matrix is computed.
MAX_EXACT_WORK = 2_000_000


def check_contributions(f: Any, t: Any | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Validate ``f`` (T, N, p, d) finite float array and the time grid (default ``linspace(0, 1, T)``)."""
    F = np.asarray(f)
    if F.dtype == object or not np.issubdtype(F.dtype, np.number) or np.iscomplexobj(F):
        raise InvalidArgument(f"contributions must be a real numeric array, got dtype {F.dtype}")
    F = F.astype(np.float64)
    if F.ndim != 4 or min(F.shape) < 1:
        raise InvalidArgument(f"contributions must have shape (T, N, p, d) with all sizes >= 1, got {F.shape}")
    if not np.all(np.isfinite(F)):
        raise InvalidArgument("contributions contain NaN or inf")
    T = F.shape[0]
    tt = np.linspace(0.0, 1.0, T) if t is None else np.asarray(t, dtype=np.float64)
    if tt.shape != (T,):
        raise InvalidArgument(f"time grid t has shape {tt.shape}, expected ({T},)")
    if not np.all(np.isfinite(tt)) or (T > 1 and not np.all(np.diff(tt) > 0)):
        raise InvalidArgument("time grid t must be finite and strictly increasing")
    return F, tt


def trapezoid_weights_exact(t: Sequence[Fraction]) -> list[Fraction]:
    """Exact trapezoid weights ``w_j`` with ``int u dt ~ sum_j w_j u(t_j)`` (``[1]`` for a single time)."""
    T = len(t)
    if T == 1:
        return [Fraction(1)]
    w = [Fraction(0)] * T
    for j in range(T - 1):
        h = t[j + 1] - t[j]
        w[j] += h / 2
        w[j + 1] += h / 2
    return w


def _trap_float(t: np.ndarray) -> np.ndarray:
    if t.size == 1:
        return np.ones(1)
    w = np.zeros_like(t)
    dt = np.diff(t)
    w[:-1] += dt / 2
    w[1:] += dt / 2
    return w


def gram_exact(f: Any, t: Any | None = None, centred: bool = True) -> list[list[Fraction]]:
    """Exact ``G`` (``centred=True``) or ``H`` (``centred=False``) from float data (exact conversion)."""
    F, tt = check_contributions(f, t)
    T, N, p, d = F.shape
    if T * N * p * p * d > MAX_EXACT_WORK:
        raise InvalidArgument(f"exact Gram matrix needs {T * N * p * p * d} operations (> {MAX_EXACT_WORK}); "
                              "use gram_float")
    w = trapezoid_weights_exact([Fraction(float(x)) for x in tt])
    G = [[Fraction(0)] * p for _ in range(p)]
    for j in range(T):
        for m in range(N):
            rows = [[Fraction(float(F[j, m, i, k])) for k in range(d)] for i in range(p)]
            if centred:
                tot = [sum((rows[i][k] for i in range(p)), Fraction(0)) / p for k in range(d)]
                rows = [[rows[i][k] - tot[k] for k in range(d)] for i in range(p)]
            scale = w[j] / N
            for i in range(p):
                for l in range(i, p):
                    v = scale * sum((rows[i][k] * rows[l][k] for k in range(d)), Fraction(0))
                    G[i][l] += v
                    if l != i:
                        G[l][i] += v
    return G


def gram_float(f: Any, t: Any | None = None, centred: bool = True) -> np.ndarray:
    """Numeric ``G`` / ``H`` (float64)."""
    F, tt = check_contributions(f, t)
    if centred:
        F = F - F.mean(axis=2, keepdims=True)
    w = _trap_float(tt) / F.shape[1]
    return np.einsum("t,tmid,tmjd->ij", w, F, F)


def partition_objective_exact(G: Sequence[Sequence[Fraction]], blocks: Sequence[Sequence[int]]) -> Fraction:
    """``sum_b sum_{i,j in B_b} G_ij``."""
    return sum((G[i][j] for b in blocks for i in b for j in b), Fraction(0))


def lambda_partition_exact(G: Sequence[Sequence[Fraction]], blocks: Sequence[Sequence[int]]) -> Fraction:
    """Balanced disjoint partition: ``n sum_b sum_{i,j in B_b} G_ij``."""
    return len(blocks) * partition_objective_exact(G, blocks)


def lambda_uniform_exact(G: Sequence[Sequence[Fraction]], r: int) -> Fraction:
    """Uniform ``r`` of ``p``: ``p(p-r)/(r(p-1)) tr G`` (0 when ``r = p``)."""
    p = len(G)
    if not 1 <= r <= p:
        raise InvalidArgument(f"r must be in 1..{p} but got r={r}")
    if r == p:
        return Fraction(0)
    return Fraction(p * (p - r), r * (p - 1)) * sum((G[i][i] for i in range(p)), Fraction(0))


def lambda_bernoulli_exact(H: Sequence[Sequence[Fraction]], q: Fraction) -> Fraction:
    """Bernoulli(q): ``((1-q)/q) tr H``."""
    return (1 - q) / q * sum((H[i][i] for i in range(len(H))), Fraction(0))


def lambda_ht_exact(H: Sequence[Sequence[Fraction]], pi: Sequence[Fraction],
                    pi_pair: Sequence[Sequence[Fraction]]) -> Fraction:
    """General HT: ``sum_ij (pi_ij/(pi_i pi_j) - 1) H_ij``."""
    p = len(H)
    return sum(((pi_pair[i][j] / (pi[i] * pi[j]) - 1) * H[i][j] for i in range(p) for j in range(p)), Fraction(0))


def row_lower_bound_exact(G: Sequence[Sequence[Fraction]], r: int) -> Fraction:
    """Exact lower bound on ``min_partitions sum_b sum_{i,j in B_b} G_ij`` over balanced blocks of ``r``:
    ``tr G + sum_i (sum of the r-1 smallest off-diagonal entries of row i)``."""
    p = len(G)
    total = sum((G[i][i] for i in range(p)), Fraction(0))
    for i in range(p):
        off = sorted(G[i][j] for j in range(p) if j != i)
        total += sum(off[: r - 1], Fraction(0))
    return total


def spectral_lower_bound(G: Any, r: int) -> float:
    """Numeric lower bound on the same minimum: ``r * (sum of the n-1 smallest eigenvalues of G on 1-perp)``
    minus a rounding margin ``p^2 * 1e-15 * max|G|`` (numeric path; Ky Fan, since ``X = sum_b 1_b 1_b^T = r P``
    with ``P`` a rank-n projection containing ``1/sqrt(p)``, and ``G 1 = 0``)."""
    A = np.asarray(G, dtype=np.float64)
    p = A.shape[0]
    if p % r:
        raise InvalidArgument(f"r={r} does not divide p={p}")
    n = p // r
    # restrict to the orthogonal complement of the all-ones vector
    Q, _ = np.linalg.qr(np.column_stack([np.ones(p)] + [np.eye(p)[:, k] for k in range(p - 1)]))
    B = Q[:, 1:].T @ A @ Q[:, 1:]
    ev = np.sort(np.linalg.eigvalsh((B + B.T) / 2))
    bound = r * float(np.sum(ev[: n - 1]))
    return bound - p * p * 1e-15 * max(1.0, float(np.max(np.abs(A)))) * r
