"""Small reference re-computations for the random-batch claims' trusted checkers.

Written separately from the fast producers (:mod:`nncert.verify.rbm_dynamics`, the experiment and
training modules) so that a certificate is never checked by the code that made it:

* :func:`inclusion_exact`: ``pi_i`` and ``pi_ij`` of a scheme from its JSON spec, by the closed forms
  of ``random_batch.md`` section 2 (exact Fractions), and :func:`mask_in_support`;
* :func:`solve_one`: one schedule of the tanh / relu / gelu field with constant controls, a plain
  dense loop (no compaction, no ensembles), Euler or RK4 (numeric, float64);
* :func:`tv_quad`: TV between two 1-D Gaussians by adaptive quadrature of ``|p1 - p2| / 2`` (numeric);
* :func:`parse_float`: strict reader of decimal float text written by producers.

Imports nothing from :mod:`nncert.constructions`.

Examples
--------
>>> pi, pair = inclusion_exact({"scheme": "uniform", "p": "4", "r": "2"})
>>> pi[0], pair(0, 1), pair(2, 2)
(Fraction(1, 2), Fraction(1, 6), Fraction(1, 2))
>>> round(tv_quad(0.0, 1.0, 1.0, 1.0), 6)
0.382925
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any, Callable, Sequence

import numpy as np

from nncert.core import parse_exact
from nncert.errors import InvalidCertificate

__all__ = ["inclusion_exact", "mask_in_support", "solve_one", "tv_quad", "parse_float", "parse_bits", "objective_ref"]

_FLOAT = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]{1,3})?")


def parse_float(text: object, where: str) -> float:
    """A finite float from decimal text (``repr`` of a float); anything else is :class:`InvalidCertificate`."""
    if not isinstance(text, str) or len(text) > 40 or not _FLOAT.fullmatch(text):
        raise InvalidCertificate(f"{where}: expected a decimal number string, got {str(text)[:40]!r}")
    v = float(text)
    if not math.isfinite(v):
        raise InvalidCertificate(f"{where}: {text!r} is not finite")
    return v


def parse_bits(text: object, p: int, where: str) -> np.ndarray:
    """A mask written as ``"0110..."`` of length ``p``."""
    if not isinstance(text, str) or len(text) != p or set(text) - {"0", "1"}:
        raise InvalidCertificate(f"{where}: expected a string of {p} characters 0/1")
    return np.frombuffer(text.encode(), dtype=np.uint8) == ord("1")


def _int(obj: Any, where: str, lo: int = 1) -> int:
    if not isinstance(obj, str) or not re.fullmatch(r"0|[1-9][0-9]{0,6}", obj) or int(obj) < lo:
        raise InvalidCertificate(f"{where}: expected an integer string >= {lo}, got {str(obj)[:20]!r}")
    return int(obj)


def inclusion_exact(spec: Any) -> tuple[list[Fraction], Callable[[int, int], Fraction]]:
    """``(pi, pi_pair)`` of the scheme described by ``spec`` (the JSON of ``Scheme.spec()``)."""
    if not isinstance(spec, dict) or not isinstance(spec.get("scheme"), str):
        raise InvalidCertificate("scheme spec must be an object with a 'scheme' string")
    kind = spec["scheme"]
    p = _int(spec.get("p"), "scheme.p")
    if kind == "full":
        return [Fraction(1)] * p, lambda i, j: Fraction(1)
    if kind == "bernoulli":
        q = parse_exact(spec.get("q"), "scheme.q")
        if not 0 < q <= 1:
            raise InvalidCertificate(f"scheme.q={q} must be in (0, 1]")
        return [q] * p, lambda i, j: q if i == j else q * q
    if kind == "uniform":
        r = _int(spec.get("r"), "scheme.r")
        if r > p:
            raise InvalidCertificate(f"scheme.r={r} > p={p}")
        pr = Fraction(r, p)
        pp = Fraction(r * (r - 1), p * (p - 1)) if p > 1 else Fraction(1)
        return [pr] * p, lambda i, j: pr if i == j else pp
    if kind in ("partition", "family"):
        if kind == "partition":
            blocks = spec.get("blocks")
            if not isinstance(blocks, list) or not blocks:
                raise InvalidCertificate("scheme.blocks must be a non-empty list")
            probs = [Fraction(1, len(blocks))] * len(blocks)
        else:
            blocks = spec.get("batches")
            raw = spec.get("probs")
            if not isinstance(blocks, list) or not isinstance(raw, list) or len(raw) != len(blocks) or not blocks:
                raise InvalidCertificate("scheme.batches / scheme.probs must be lists of equal length")
            probs = [parse_exact(q, f"scheme.probs[{k}]") for k, q in enumerate(raw)]
            if sum(probs) != 1 or min(probs) < 0:
                raise InvalidCertificate("scheme.probs must be >= 0 and sum to 1")
        sets = []
        for k, b in enumerate(blocks):
            if not isinstance(b, list):
                raise InvalidCertificate(f"scheme block {k} must be a list")
            s = {_int(i, f"block {k}", 0) for i in b}
            if any(i >= p for i in s):
                raise InvalidCertificate(f"scheme block {k} has an index >= p={p}")
            sets.append(s)
        if kind == "partition" and (sum(len(s) for s in sets) != p or set().union(*sets) != set(range(p))):
            raise InvalidCertificate("scheme.blocks is not a partition of 0..p-1")
        pi = [sum((q for s, q in zip(sets, probs) if i in s), Fraction(0)) for i in range(p)]
        if min(pi) <= 0:
            raise InvalidCertificate("some pi_i = 0")

        def pair(i: int, j: int) -> Fraction:
            return sum((q for s, q in zip(sets, probs) if i in s and j in s), Fraction(0))

        return pi, pair
    raise InvalidCertificate(f"unknown scheme kind {kind[:20]!r}")


def mask_in_support(spec: dict, mask: np.ndarray) -> bool:
    """Whether ``mask`` can be drawn by the scheme (uniform: exactly r ones; partition/family: a listed batch)."""
    kind = spec["scheme"]
    if kind == "full":
        return bool(mask.all())
    if kind == "bernoulli":
        return True
    if kind == "uniform":
        return int(mask.sum()) == int(spec["r"])
    blocks = spec["blocks"] if kind == "partition" else spec["batches"]
    got = set(np.flatnonzero(mask).tolist())
    return any(got == {int(i) for i in b} for b in blocks)


def _sigma(act: str) -> Callable[[np.ndarray], np.ndarray]:
    if not isinstance(act, str):
        raise InvalidCertificate("activation must be a string")
    if act == "tanh":
        return np.tanh
    if act == "relu":
        return lambda z: np.where(z > 0, z, 0.0)
    if act == "gelu":
        from scipy.special import erf

        return lambda z: 0.5 * z * (1.0 + erf(z / math.sqrt(2.0)))
    raise InvalidCertificate(f"unknown activation {act[:20]!r}")


def solve_one(
    A: np.ndarray, b: np.ndarray, W: np.ndarray, act: str, x0: np.ndarray, masks: np.ndarray | None,
    pi: Sequence[float], T: Fraction, h: Fraction, dt: Fraction, method: str, record_every: Fraction,
) -> np.ndarray:
    """States (R, n, d) of one schedule at multiples of ``record_every`` (dense reference loop)."""
    sig = _sigma(act)
    n_sw, sub = int(T / h), int(h / dt)
    every = int(record_every / dt)
    pif = np.asarray(pi, dtype=float)
    x = np.array(x0, dtype=float)
    out = [x.copy()]
    dtf = float(dt)
    for j in range(n_sw):
        c = np.ones(A.shape[0]) if masks is None else masks[j].astype(float) / pif

        def F(t: float, y: np.ndarray) -> np.ndarray:
            return (sig(y @ A.T + b) * c) @ W.T

        for s in range(sub):
            t = float(dt * (j * sub + s))
            if method == "euler":
                x = x + dtf * F(t, x)
            elif method == "rk4":
                a1 = F(t, x)
                a2 = F(t + dtf / 2, x + dtf / 2 * a1)
                a3 = F(t + dtf / 2, x + dtf / 2 * a2)
                a4 = F(t + dtf, x + dtf * a3)
                x = x + dtf / 6 * (a1 + 2 * a2 + 2 * a3 + a4)
            else:
                raise InvalidCertificate(f"unknown method {method[:20]!r}")
            if (j * sub + s + 1) % every == 0:
                out.append(x.copy())
    return np.stack(out)


def tv_quad(m1: float, s1: float, m2: float, s2: float) -> float:
    """``(1/2) int |N(m1, s1^2) - N(m2, s2^2)|`` by adaptive quadrature (numeric)."""
    from scipy import integrate

    def g(x: float) -> float:
        p1 = math.exp(-0.5 * ((x - m1) / s1) ** 2) / (s1 * math.sqrt(2 * math.pi))
        p2 = math.exp(-0.5 * ((x - m2) / s2) ** 2) / (s2 * math.sqrt(2 * math.pi))
        return abs(p1 - p2)

    from scipy.optimize import brentq

    lo = min(m1 - 12 * s1, m2 - 12 * s2)
    hi = max(m1 + 12 * s1, m2 + 12 * s2)

    def logratio(x: float) -> float:  # log p1 - log p2: finite everywhere, same sign as p1 - p2
        return (-0.5 * ((x - m1) / s1) ** 2 - math.log(s1)) - (-0.5 * ((x - m2) / s2) ** 2 - math.log(s2))

    # the kinks of |p1 - p2| (sign changes of the log ratio), bracketed on a fine grid and refined numerically
    grid = np.linspace(lo, hi, 2001)
    vals = (-0.5 * ((grid - m1) / s1) ** 2 - math.log(s1)) - (-0.5 * ((grid - m2) / s2) ** 2 - math.log(s2))
    kinks = [brentq(logratio, grid[k], grid[k + 1], xtol=1e-14) for k in np.flatnonzero(vals[:-1] * vals[1:] < 0)]
    kinks += [float(grid[k]) for k in np.flatnonzero(vals == 0)]
    edges = [lo] + sorted(k for k in kinks if lo < k < hi) + [hi]
    total = 0.0
    for a, b in zip(edges[:-1], edges[1:]):
        pts = [x for x in (m1, m2) if a < x < b] or None
        total += integrate.quad(g, a, b, points=pts, limit=400, epsabs=1e-14, epsrel=1e-12)[0]
    return 0.5 * total


def objective_ref(
    X: np.ndarray, Y: np.ndarray, A: np.ndarray, b: np.ndarray, W: np.ndarray, act: str, c: np.ndarray,
    dt: float, beta: float, alpha: float,
) -> float:
    """Discrete training objective (Euler, left rectangle rule) for one schedule; reference loop.

    ``A`` (L, p, d), ``b`` (L, p), ``W`` (L, d, p) piecewise constant on equal pieces; ``c`` (n_steps, p)
    the per-step HT weights. ``J = |x_N - y|^2 + beta dt sum_n |x_n - y|^2 + (alpha/2) dt sum_n |u_l(n)|^2``.
    """
    sig = _sigma(act)
    n_steps = c.shape[0]
    L = A.shape[0]
    per = n_steps // L
    x = np.array(X, dtype=float)
    total = 0.0
    for n in range(n_steps):
        l = n // per
        total += beta * dt * float(np.sum((x - Y) ** 2))
        total += 0.5 * alpha * dt * float(np.sum(A[l] ** 2) + np.sum(b[l] ** 2) + np.sum(W[l] ** 2))
        hidden = sig(x @ A[l].T + b[l]) * c[n]
        x = x + dt * hidden @ W[l].T
    return total + float(np.sum((x - Y) ** 2))
