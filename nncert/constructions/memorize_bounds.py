"""Explicit parameter-norm bound of the peel network and a function-preserving power-of-two rescaling.

Bound (derivation in ``docs/norm_bound.md``). For the network built by
:func:`nncert.constructions.memorize.peel` with direction ``u``, shift ``s``, ``z_i = u.x_i + s``,
``Z = max z``, ``delta`` = smallest gap between consecutive sorted ``z``, ``delta0 = min(delta, 1)``,
``r1`` label runs of size 1 and ``r2`` of size >= 2 along ``u`` (so ``L = r1 + 2 r2`` hidden layers):

    B = 2|u|^2 + s^2 + (|s| + Z)^2 + (L - 1)(2 + Z^2) + 1 + 2 [4 r1 Z^2/delta0^2 + r2 (1 + 16 Z^2/delta0^2)]

and, coarser, with ``L <= N``,

    B_N = 2|u|^2 + s^2 + (|s| + Z)^2 + (N - 1)(2 + Z^2) + 1 + N (1 + 16 Z^2/delta0^2)  >=  B.

One class (M = 1): the network is all zeros and ``B = B_N = 0``.
Both are exact rationals; ``||theta*||^2 <= B <= B_N`` is checked by the claim
``P1.memorization.norm_bound`` (whose checker recomputes ``B`` from the data and the network).

:func:`rescale_pow2` multiplies hidden layer ``k`` by ``2^e_k`` and undoes it in the next layer
(``relu(c t) = c relu(t)`` for ``c > 0``), choosing the exponents (float heuristic) to shrink
``||theta||^2``; the result is exact and computes the same function everywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

from nncert.core import Network, fmt
from nncert.data import Dataset
from nncert.errors import InvalidArgument

__all__ = ["NormBound", "norm_bound", "bound_from_parts", "rescale_pow2", "min_norm_peel", "RegularizedBounds",
           "regularized_bounds"]


@dataclass(frozen=True)
class NormBound:
    """The bound and every quantity it is made of (exact)."""

    bound: Fraction
    bound_generic: Fraction
    u_sq: Fraction
    shift: Fraction
    z_max: Fraction
    delta: Fraction
    delta0: Fraction
    runs_single: int
    runs_multi: int
    layers: int
    n: int

    def to_json(self) -> dict[str, str]:
        """Exact values as text."""
        return {
            "B": fmt(self.bound), "B_N": fmt(self.bound_generic), "u_sq": fmt(self.u_sq), "shift": fmt(self.shift),
            "Z": fmt(self.z_max), "delta": fmt(self.delta), "delta0": fmt(self.delta0),
            "r1": str(self.runs_single), "r2": str(self.runs_multi), "L": str(self.layers), "N": str(self.n),
        }


def bound_from_parts(u: Sequence[Fraction], shift: Fraction, z: Sequence[Fraction], labels_sorted: Sequence[int],
                     n: int) -> NormBound:
    """B and B_N from the direction, shift, projected values ``z`` and labels in increasing ``z``.

    Examples
    --------
    >>> b = bound_from_parts([Fraction(1)], Fraction(2), [Fraction(2), Fraction(3)], [0, 1], 2)
    >>> b.bound, b.bound_generic, b.layers
    (Fraction(187, 1), Fraction(333, 1), 2)
    """
    zs = sorted(z)
    if any(a == b for a, b in zip(zs, zs[1:])):
        raise InvalidArgument("projected values z are not distinct")
    r1 = r2 = 0
    i = 0
    while i < len(labels_sorted):
        j = i
        while j + 1 < len(labels_sorted) and labels_sorted[j + 1] == labels_sorted[i]:
            j += 1
        if j == i:
            r1 += 1
        else:
            r2 += 1
        i = j + 1
    u_sq = sum((Fraction(v) ** 2 for v in u), Fraction(0))
    zmax = zs[-1]
    delta = min((b - a for a, b in zip(zs, zs[1:])), default=Fraction(1))
    delta0 = min(delta, Fraction(1))
    if r1 + r2 <= 1:  # one class: the all-zero network
        zero = Fraction(0)
        return NormBound(zero, zero, u_sq, shift, zmax, delta, delta0, r1, r2, 0, n)
    L = r1 + 2 * r2
    q = zmax * zmax / (delta0 * delta0)
    head = 2 * u_sq + shift * shift + (abs(shift) + zmax) ** 2 + 1
    bound = head + (L - 1) * (2 + zmax * zmax) + 2 * (4 * r1 * q + r2 * (1 + 16 * q))
    generic = head + (n - 1) * (2 + zmax * zmax) + n * (1 + 16 * q)
    return NormBound(bound, generic, u_sq, shift, zmax, delta, delta0, r1, r2, L, n)


def norm_bound(peel_result: object) -> NormBound:
    """The explicit bound for a :class:`~nncert.constructions.memorize.PeelResult`.

    Examples
    --------
    >>> from nncert.constructions.memorize import peel
    >>> from nncert.data import from_arrays
    >>> from nncert.verify.norms import norms
    >>> res = peel(from_arrays([[0], [1], [2], [3]], [0, 1, 1, 0]))
    >>> b = norm_bound(res); norms(res.network).sum_squares <= b.bound <= b.bound_generic
    True
    """
    data: Dataset = peel_result.dataset  # type: ignore[attr-defined]
    u = [Fraction(v) for v in peel_result.direction]  # type: ignore[attr-defined]
    s = Fraction(peel_result.shift)  # type: ignore[attr-defined]
    if len(set(data.labels)) == 1:  # one class: the all-zero network
        zero = Fraction(0)
        return NormBound(zero, zero, zero, zero, zero, Fraction(1), Fraction(1), 0, 0, 0, data.n)
    z = [sum((a * b for a, b in zip(u, p)), Fraction(0)) + s for p in data.points]
    order = sorted(range(data.n), key=z.__getitem__)
    return bound_from_parts(u, s, z, [data.labels[i] for i in order], data.n)


def _log2(v: Fraction) -> float:
    return math.log2(v.numerator) - math.log2(v.denominator)


def rescale_pow2(net: Network, sweeps: int = 60) -> tuple[Network, tuple[int, ...]]:
    """Function-preserving rescaling of hidden layers by powers of two that shrinks ``||theta||^2``.

    Hidden layer ``k`` is multiplied by ``2^e_k``: ``W_k <- 2^(e_k - e_{k-1}) W_k``,
    ``b_k <- 2^e_k b_k`` (``e_0 = 0``) and the output weights by ``2^-e_L``. The exponents come from
    coordinate descent on ``log2`` norms (floats: a heuristic only); the returned network is exact.
    Returns ``(network, exponents)``; exponents all 0 if nothing helps.

    Examples
    --------
    >>> net = Network.from_rows([[[64]], [[1]]], [[64], [0]])   # f(x) = relu(64x + 64)
    >>> small, e = rescale_pow2(net)
    >>> e, small.weights, [small([x])[0] == net([x])[0] for x in (-2, 0, 3)]
    ((-3,), (((Fraction(8, 1),),), ((Fraction(8, 1),),)), [True, True, True])
    """
    L = net.depth
    if L == 0:
        return net, ()
    A = [sum((v * v for row in w for v in row), Fraction(0)) for w in net.weights]
    beta = [sum((v * v for v in b), Fraction(0)) for b in net.biases]
    la = [(_log2(a) if a else None) for a in A]
    lb = [(_log2(b) if b else None) for b in beta]
    e = [0] * (L + 1)  # e[0] = 0 fixed (the input), e[1..L] hidden layers

    def cost_k(k: int, ek: int) -> float:
        """log-sum-exp-free float cost of the terms that involve e_k (values can be huge: use 2^x carefully)."""
        terms = []
        if la[k - 1] is not None:
            terms.append(la[k - 1] + 2 * (ek - e[k - 1]))
        if lb[k - 1] is not None:
            terms.append(lb[k - 1] + 2 * ek)
        nxt = e[k + 1] if k < L else 0
        if la[k] is not None:
            terms.append(la[k] + 2 * (nxt - ek))
        if not terms:
            return -math.inf
        top = max(terms)
        return top + math.log2(sum(2.0 ** (t - top) for t in terms))

    for _ in range(sweeps):
        changed = False
        for k in range(1, L + 1):
            best, best_e = cost_k(k, e[k]), e[k]
            # the optimum of P x + Q / x (x = 4^e) is at 4^e = sqrt(Q/P): try around it
            p_terms = [t for t in ((la[k - 1] - 2 * e[k - 1]) if la[k - 1] is not None else None,
                                   lb[k - 1]) if t is not None]
            nxt = e[k + 1] if k < L else 0
            q = (la[k] + 2 * nxt) if la[k] is not None else None
            cands = {e[k] - 1, e[k] + 1}
            if p_terms and q is not None:
                pmax = max(p_terms)
                centre = (q - pmax) / 4
                cands |= {math.floor(centre) - 1, math.floor(centre), math.ceil(centre), math.ceil(centre) + 1}
            for c in sorted(cands):
                v = cost_k(k, c)
                if v < best - 1e-12:
                    best, best_e = v, c
            if best_e != e[k]:
                e[k] = best_e
                changed = True
        if not changed:
            break
    ws, bs = [], []
    for k, (w, b) in enumerate(zip(net.weights, net.biases)):
        if k < L:
            fw, fb = Fraction(2) ** (e[k + 1] - e[k]), Fraction(2) ** e[k + 1]
        else:
            fw, fb = Fraction(2) ** (-e[L]), Fraction(1)
        ws.append(tuple(tuple(v * fw for v in row) for row in w))
        bs.append(tuple(v * fb for v in b))
    out = Network(tuple(ws), tuple(bs))
    old = sum(A, Fraction(0)) + sum(beta, Fraction(0))
    new = sum((v * v for v in out.parameters()), Fraction(0))
    if new >= old:
        return net, tuple([0] * L)
    return out, tuple(e[1:])


def min_norm_peel(data: Dataset, *, seed: int = 0, budget_s: float = 60.0, tries: int = 40) -> tuple[object, Network]:
    """A peel network of small norm: ``(peel_result, rescaled_network)``.

    Starts from :func:`~nncert.constructions.memorize.peel`'s direction ``u0`` and tries directions
    ``round(u0 * f) + r`` (``f`` shrinking ``u0`` to entries of size 10..10^4, ``r`` small random
    integers from ``numpy.random.default_rng(seed)``) that keep the projections distinct and the
    depth no larger; each candidate network is rescaled by :func:`rescale_pow2` and the smallest
    exact ``||theta||^2`` wins. Float arithmetic only *chooses*; every network is exact. The result is
    deterministic (given ``seed``) unless the wall-clock ``budget_s`` stops the search before ``tries``.
    """
    import time as _time

    import numpy as np

    from nncert.constructions.memorize import _exact_projection, peel

    t0 = _time.perf_counter()
    best_res = peel(data, seed=seed)
    best_net, _ = rescale_pow2(best_res.network)
    best = sum((v * v for v in best_net.parameters()), Fraction(0))
    if data.m == 1 or best == 0:
        return best_res, best_net
    u0 = np.asarray(best_res.direction, dtype=float)
    top = float(np.max(np.abs(u0)))
    rng = np.random.default_rng(seed)
    scales = [s for s in (10.0, 30.0, 100.0, 1000.0, 10000.0) if s < top]
    n = 0
    while scales and n < tries and _time.perf_counter() - t0 < budget_s:
        s = scales[n % len(scales)]
        n += 1
        u = tuple(int(v) for v in np.rint(u0 / top * s) + rng.integers(-3, 4, size=data.d))
        if not any(u) or _exact_projection(data, u) is None:
            continue
        res = peel(data, direction=u)
        if res.network.depth > best_res.network.depth:
            continue
        net, _ = rescale_pow2(res.network)
        val = sum((v * v for v in net.parameters()), Fraction(0))
        if val < best:
            best, best_res, best_net = val, res, net
    return best_res, best_net


@dataclass(frozen=True)
class RegularizedBounds:
    """Exact upper estimates for J_lambda(theta) = (1/N) sum (f_theta(x_i) - y_i)^2 + lambda ||theta||^2.

    ``network`` is theta* (exact, classifies every point, so its loss term is 0). For every lambda:
    ``min J_lambda <= lambda ||theta*||^2``; every minimizer has ``||theta_lambda||^2 <= ||theta*||^2``
    and training loss ``<= lambda ||theta*||^2``; for ``lambda < 1/(4 N ||theta*||^2)`` every theta with
    ``J_lambda(theta) <= lambda ||theta*||^2`` has ``|f_theta(x_i) - y_i| < 1/2`` (rounding classifies).
    ``_weights`` variants: the penalty without biases.
    """

    network: Network
    theta_sq: Fraction
    theta_sq_weights: Fraction

    def j_bound(self, lam: Fraction, biases: bool = True) -> Fraction:
        """lambda ||theta*||^2 (upper bound on min J_lambda and on a minimizer's training loss)."""
        return Fraction(lam) * (self.theta_sq if biases else self.theta_sq_weights)

    def rounding_lambda(self, n: int, biases: bool = True) -> Fraction:
        """1/(4 N ||theta*||^2): below it, near-minimizers classify every point after rounding."""
        t = self.theta_sq if biases else self.theta_sq_weights
        return Fraction(1, 4 * n) / t if t else Fraction(0)


def regularized_bounds(data: Dataset, *, seed: int = 0, budget_s: float = 60.0) -> RegularizedBounds:
    """:class:`RegularizedBounds` with theta* from :func:`min_norm_peel` (exact rationals).

    Examples
    --------
    >>> from nncert.data import from_arrays
    >>> rb = regularized_bounds(from_arrays([[0], [1], [2], [3]], [0, 1, 1, 0]))
    >>> lam = Fraction(1, 1000)
    >>> rb.j_bound(lam) == lam * rb.theta_sq and rb.theta_sq_weights <= rb.theta_sq
    True
    """
    _, net = min_norm_peel(data, seed=seed, budget_s=budget_s)
    total = sum((v * v for v in net.parameters()), Fraction(0))
    wsq = sum((v * v for w in net.weights for row in w for v in row), Fraction(0))
    return RegularizedBounds(net, total, wsq)
