"""Statistical checks of random-batch estimators against exact values (numeric path, float64).

Samples are *given* (masks drawn by the caller with a seeded ``numpy.random.Generator``); this module
only estimates and tests, with its own few lines of estimator arithmetic (it imports nothing from
:mod:`nncert.constructions`).

Test: the sample mean of ``k`` i.i.d. draws against the exact expectation, ``z = (mean - exact) /
(s / sqrt(k))`` with the sample standard deviation ``s``; a check passes iff ``|z| <= Z_LEVEL = 4``
(two-sided normal tail 6.3e-5 per test). When the draws have zero spread (``s = 0``) the check passes iff
the mean equals the exact value to 1e-12 relative. Verdicts are statistical: they go under ``admitted``.

Examples
--------
>>> import numpy as np
>>> z = z_test(np.array([1.0, 3.0, 2.0, 2.0]), 2.0)
>>> z["z"], z["passed"]
(0.0, True)
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from nncert.core import Status, Verdict
from nncert.errors import InvalidArgument

__all__ = ["Z_LEVEL", "z_test", "ht_draws", "integrated_sq_errors", "mean_var_check", "ADMITTED"]

#: Pass threshold on |z|.
Z_LEVEL = 4.0
#: Text recorded under ``admitted`` for statistical checks.
ADMITTED = "statistical: Monte Carlo z-test, |z| <= 4 (two-sided normal tail 6.3e-5 per test), fixed seed"


def z_test(samples: np.ndarray, exact: float, level: float = Z_LEVEL) -> dict[str, Any]:
    """z statistic of the sample mean of ``samples`` against ``exact``."""
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim != 1 or x.size < 2:
        raise InvalidArgument(f"need a 1-d sample of size >= 2, got shape {x.shape}")
    k = x.size
    mean = float(x.mean())
    sd = float(x.std(ddof=1))
    se = sd / math.sqrt(k)
    if se == 0.0:
        ok = abs(mean - exact) <= 1e-12 * max(1.0, abs(exact))
        z = 0.0 if ok else math.inf
    else:
        z = (mean - exact) / se
        ok = abs(z) <= level
    return {"n": k, "mean": mean, "exact": float(exact), "se": se, "z": z, "passed": bool(ok)}


def _pi(pi: Sequence[float] | np.ndarray, p: int) -> np.ndarray:
    arr = np.asarray([float(v) for v in pi], dtype=np.float64)
    if arr.shape != (p,) or not np.all(arr > 0):
        raise InvalidArgument(f"pi must be {p} positive numbers")
    return arr


def ht_draws(f: np.ndarray, masks: np.ndarray, pi: Sequence[float]) -> np.ndarray:
    """HT estimates for each mask: ``f`` (..., p, d), masks (k, p) -> (k, ..., d)."""
    F = np.asarray(f, dtype=np.float64)
    M = np.asarray(masks, dtype=bool)
    p = F.shape[-2]
    if M.ndim != 2 or M.shape[1] != p:
        raise InvalidArgument(f"masks must have shape (k, {p}), got {M.shape}")
    w = M / _pi(pi, p)
    return np.einsum("ki,...id->k...d", w, F)


def integrated_sq_errors(f: np.ndarray, t: np.ndarray, masks: np.ndarray, pi: Sequence[float]) -> np.ndarray:
    """Per draw ``Y_k = int (1/N) sum_m |F^h_k - F|^2 dt`` (trapezoid), ``f`` of shape (T, N, p, d).

    ``E Y = Lambda`` exactly (linearity), whatever the dependence across times/points within a draw.
    """
    F = np.asarray(f, dtype=np.float64)
    if F.ndim != 4:
        raise InvalidArgument(f"f must have shape (T, N, p, d), got {F.shape}")
    T = F.shape[0]
    tt = np.asarray(t, dtype=np.float64)
    if T == 1:
        w = np.ones(1)
    else:
        w = np.zeros(T)
        dt = np.diff(tt)
        w[:-1] += dt / 2
        w[1:] += dt / 2
    full = F.sum(axis=2)  # (T, N, d)
    out = np.empty(len(masks))
    M = np.asarray(masks, dtype=bool)
    pis = _pi(pi, F.shape[2])
    chunk = 2048
    for s in range(0, len(M), chunk):
        est = np.einsum("ki,tnid->ktnd", M[s:s + chunk] / pis, F)
        err = ((est - full[None]) ** 2).sum(axis=-1).mean(axis=-1)  # (k, T)
        out[s:s + chunk] = err @ w
    return out


def mean_var_check(name: str, f: np.ndarray, masks: np.ndarray, pi: Sequence[float], exact_var: float,
                   seed: int | None = None) -> Verdict:
    """Monte Carlo mean (each component, against F) and variance (against ``exact_var``) of the HT field.

    ``f`` has shape (p, d). HOLDS iff every |z| <= 4; the verdict lists the statistical test under ``admitted``.
    """
    F = np.asarray(f, dtype=np.float64)
    if F.ndim != 2:
        raise InvalidArgument(f"f must have shape (p, d), got {F.shape}")
    est = ht_draws(F, masks, pi)  # (k, d)
    full = F.sum(axis=0)
    tests = [z_test(est[:, k], float(full[k])) for k in range(F.shape[1])]
    tests.append(z_test(((est - full) ** 2).sum(axis=1), exact_var))
    zs = ", ".join(f"{t['z']:+.2f}" for t in tests)
    ok = all(t["passed"] for t in tests)
    ev = f"k={len(masks)} draws{'' if seed is None else f' (seed {seed})'}: z(mean components, variance) = {zs}"
    return Verdict(Status.HOLDS if ok else Status.REFUTED, f"monte carlo [{name}]", evidence=ev,
                   reason="" if ok else f"|z| > {Z_LEVEL}: {zs}",
                   counterexample=None if ok else {"z": zs}, admitted=(ADMITTED,))
