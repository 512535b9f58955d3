"""Random-batch dynamics experiments (numeric, untrusted producers of certificates).

* :func:`rates`: mean-square trajectory error of ``x^h`` against the full model for several schemes
  and an ``h`` grid, in both readings (``sup_t E`` and ``E sup_t``), with bootstrap CIs over schedules
  and fitted log-log slopes (``random_batch.md`` section 6.3);
* :func:`constant_field_check`: the exact state-independent identity ``E|x^h(t_j) - x(t_j)|^2 = t_j h Var``;
* :func:`gaussian_tv`: the exactly solvable distribution case (scalar linear field, Gaussian ``rho_0``):
  ``E TV`` by exact enumeration of the law of the schedule (section 6.4).

Everything is float64 (numeric path) except the exact quantities named ``*_exact`` (Fractions).
Each schedule ``k`` of scheme ``s`` at grid point ``j`` draws its batches from its own generator
``default_rng(SeedSequence([seed, s, j, k]))`` and schedules are processed in fixed chunks, so the
numbers do not depend on the executor (serial, processes, Dask).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Sequence

import numpy as np

from nncert.core import fmt, parse_decimal
from nncert.errors import InvalidArgument
from nncert.parallel import Executor, SerialExecutor
from nncert.verify.rbm_dynamics import Grid, integrate, make_grid

__all__ = [
    "two_circles",
    "parse_scheme",
    "schedule_rng",
    "fit_slope",
    "RatesResult",
    "rates",
    "constant_field_check",
    "ht_variance_exact",
    "gauss_tv",
    "gaussian_tv",
    "CHUNK",
    "calibrate",
]

#: schedules per task; fixed so that every executor computes the same arrays.
CHUNK = 16


def two_circles(n: int = 32, *, noise: float = 0.05, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Design-note data: radii 1 (label -1, target (-1, 0)) and 1/2 (label +1, target (0, 1)).

    Equispaced angles, Gaussian noise ``noise``; returns ``X`` (n, 2), labels (n,), targets (n, 2).

    >>> X, lab, Y = two_circles(8)
    >>> X.shape, sorted(set(lab.tolist())), Y[0].tolist()
    ((8, 2), [-1, 1], [-1.0, 0.0])
    """
    if int(n) != n or n < 2:
        raise InvalidArgument(f"n must be an integer >= 2, got n={n!r}")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 77]))
    n_out = (n + 1) // 2
    n_in = n - n_out
    ang_o = 2 * np.pi * np.arange(n_out) / n_out
    ang_i = 2 * np.pi * (np.arange(n_in) + 0.5) / max(n_in, 1)
    X = np.concatenate([np.c_[np.cos(ang_o), np.sin(ang_o)], 0.5 * np.c_[np.cos(ang_i), np.sin(ang_i)]])
    X = X + noise * rng.normal(size=X.shape)
    lab = np.r_[-np.ones(n_out, int), np.ones(n_in, int)]
    Y = np.where(lab[:, None] < 0, np.array([[-1.0, 0.0]]), np.array([[0.0, 1.0]]))
    return X, lab, Y


def parse_scheme(spec: str, p: int) -> Any:
    """Scheme from text: ``full``, ``uniform:R``, ``bernoulli:Q``, ``partition:N`` (balanced, ``i mod N``),
    ``pick-one``, ``drop-one``, or ``family:B1|B2|...:Q1,Q2,...`` with batches as ``0+1+5``.

    >>> parse_scheme("uniform:8", 24).pi()[0]
    Fraction(1, 3)
    >>> parse_scheme("partition:5", 24)
    Traceback (most recent call last):
    ...
    nncert.errors.InvalidArgument: partition:5: p=24 is not divisible by 5 (balanced partition)
    """
    from nncert.constructions import batches as B

    kind, _, arg = spec.partition(":")
    kind = kind.strip().lower()
    try:
        if kind == "full":
            return B.Full(p)
        if kind == "uniform":
            return B.Uniform(p, int(arg))
        if kind == "bernoulli":
            return B.Bernoulli(p, parse_decimal(arg, spec))
        if kind == "partition":
            n = int(arg)
            if n < 1 or p % n:
                raise InvalidArgument(f"{spec}: p={p} is not divisible by {n} (balanced partition)")
            return B.Partition([[i for i in range(p) if i % n == b] for b in range(n)])
        if kind == "pick-one":
            return B.pick_one(p)
        if kind == "drop-one":
            return B.drop_one(p)
        if kind == "family":
            batches_txt, _, probs_txt = arg.partition(":")
            batches = [[int(i) for i in b.split("+") if i] for b in batches_txt.split("|")]
            probs = [parse_decimal(q, spec) for q in probs_txt.split(",")]
            return B.FiniteFamily(p, batches, probs)
    except ValueError as err:
        if isinstance(err, InvalidArgument):
            raise
        raise InvalidArgument(f"scheme {spec!r}: {err}") from None
    raise InvalidArgument(
        f"unknown scheme {spec!r}; use full, uniform:R, bernoulli:Q, partition:N, pick-one, drop-one, family:..."
    )


def schedule_rng(seed: int, *key: int) -> np.random.Generator:
    """The generator of one schedule: ``default_rng(SeedSequence([seed, *key]))``."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), *[int(k) for k in key]]))


def fit_slope(h: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """Least-squares ``log y = a + s log h``; returns ``(s, a)``.

    >>> s, a = fit_slope([1, 0.5, 0.25], [2, 1, 0.5]); round(s, 12), round(a, 12)
    (1.0, 0.69314718056)
    """
    lh, ly = np.log(np.asarray(h, float)), np.log(np.asarray(y, float))
    if lh.size < 2 or not np.all(np.isfinite(ly)):
        raise InvalidArgument("slope fit needs >= 2 positive values")
    s, a = np.polyfit(lh, ly, 1)
    return float(s), float(a)


# ---------------------------------------------------------------------------------------------
# trajectory rates
# ---------------------------------------------------------------------------------------------
def _rates_task(task: tuple) -> np.ndarray:
    """Squared errors ``|x^h - x|^2`` (count, R, n) of schedules ``start..start+count-1`` (picklable)."""
    fld, x0, scheme, grid, method, rec, ref, seed, s_id, h_id, start, count = task
    masks = np.stack([scheme.sample_many(schedule_rng(seed, s_id, h_id, k), grid.n_switch)
                      for k in range(start, start + count)])
    tr = integrate(fld, x0, grid, method, masks, scheme.pi(), rec)
    err = np.sum((tr.states - ref[:, None]) ** 2, axis=-1)  # (R, count, n)
    return err.transpose(1, 0, 2)


@dataclass
class RatesResult:
    """Output of :func:`rates` (numeric)."""

    schemes: list[str]
    hs: list[Fraction]
    times: np.ndarray
    sup_E: dict[str, np.ndarray]                # scheme -> (H,) values
    E_sup: dict[str, np.ndarray]
    sup_E_ci: dict[str, np.ndarray]             # scheme -> (H, 2)
    E_sup_ci: dict[str, np.ndarray]
    slope: dict[str, dict[str, tuple[float, float, float, float]]]  # reading -> scheme -> (s, lo, hi, intercept)
    mean_curve: dict[str, list[np.ndarray]]     # scheme -> per h: mean_s e, (R, n)
    esup_per_schedule: dict[str, list[np.ndarray]]  # scheme -> per h: (S,)
    expected_size: dict[str, Fraction]
    params: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def _bootstrap(e_list: list[np.ndarray], hs: np.ndarray, B: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Bootstrap over schedules (independently per h): (B, H) resampled values of both readings."""
    supE = np.empty((B, len(e_list)))
    Esup = np.empty((B, len(e_list)))
    for j, e in enumerate(e_list):
        S = e.shape[0]
        draws = rng.integers(0, S, size=(B, S))
        counts = np.zeros((B, S))
        np.add.at(counts, (np.arange(B)[:, None], draws), 1.0)
        meanc = (counts @ e.reshape(S, -1)).reshape(B, *e.shape[1:]) / S  # (B, R, n)
        supE[:, j] = meanc.max(axis=1).mean(axis=1)
        per = e.max(axis=1).mean(axis=1)  # (S,)
        Esup[:, j] = counts @ per / S
    return {"sup_E": supE, "E_sup": Esup}


def rates(
    fld: Any,
    x0: np.ndarray,
    schemes: dict[str, Any],
    hs: Sequence[object],
    *,
    T: object = 1,
    sub: int = 8,
    method: str = "rk4",
    n_schedules: int = 64,
    seed: int = 0,
    n_boot: int = 1000,
    executor: Executor | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> RatesResult:
    """Mean-square trajectory error vs ``h`` for each scheme (``dt = h / sub``).

    Readings: ``sup_E = mean_m max_t mean_s |x^h_m(t) - x_m(t)|^2`` and
    ``E_sup = mean_s mean_m max_t |...|^2`` over the recording grid (step = coarsest ``dt``, common to
    every ``h``). The reference is the full model on the same grid. Slopes are fitted in log-log;
    95% percentile bootstrap CIs resample schedules independently at each ``h``.
    """
    t0 = time.perf_counter()
    ex = executor or SerialExecutor()
    grids = [make_grid(T, h, Fraction(h if isinstance(h, Fraction) else parse_decimal(str(h))) / sub) for h in hs]
    rec = max(g.dt for g in grids)
    for g in grids:
        if (rec / g.dt).denominator != 1:
            raise InvalidArgument(f"h grid is not nested: dt={fmt(g.dt)} does not divide {fmt(rec)}")
    x0 = np.asarray(x0, float)
    refs = [integrate(fld, x0, g, method, record_every=rec).states[:, 0] for g in grids]  # (R, n, d)
    tasks, keys = [], []
    for s_id, (name, sch) in enumerate(schemes.items()):
        if sch.p != fld.p:
            raise InvalidArgument(f"scheme {name} has p={sch.p} but the field has p={fld.p}")
        for h_id, g in enumerate(grids):
            for start in range(0, n_schedules, CHUNK):
                cnt = min(CHUNK, n_schedules - start)
                tasks.append((fld, x0, sch, g, method, rec, refs[h_id], seed, s_id, h_id, start, cnt))
                keys.append((name, h_id))
    if progress:
        progress("integrating", 0.05)
    outs = ex.map(_rates_task, tasks)
    errs: dict[tuple[str, int], list[np.ndarray]] = {}
    for key, o in zip(keys, outs):
        errs.setdefault(key, []).append(o)
    hf = np.array([float(g.h) for g in grids])
    res = RatesResult(list(schemes), [g.h for g in grids], np.arange(refs[0].shape[0]) * float(rec), {}, {}, {}, {},
                      {"sup_E": {}, "E_sup": {}}, {}, {}, {})
    brng = schedule_rng(seed, 10**6)
    for name, sch in schemes.items():
        e_list = [np.concatenate(errs[(name, j)]) for j in range(len(grids))]
        res.mean_curve[name] = [e.mean(axis=0) for e in e_list]
        res.esup_per_schedule[name] = [e.max(axis=1).mean(axis=1) for e in e_list]
        res.sup_E[name] = np.array([c.max(axis=0).mean() for c in res.mean_curve[name]])
        res.E_sup[name] = np.array([v.mean() for v in res.esup_per_schedule[name]])
        boot = _bootstrap(e_list, hf, n_boot, brng)
        for reading, vals, cis in (("sup_E", res.sup_E[name], res.sup_E_ci), ("E_sup", res.E_sup[name], res.E_sup_ci)):
            cis[name] = np.percentile(boot[reading], [2.5, 97.5], axis=0).T
            s, a = fit_slope(hf, vals)
            bs = np.array([np.polyfit(np.log(hf), np.log(b), 1)[0] for b in boot[reading]])
            lo, hi = np.percentile(bs, [2.5, 97.5])
            res.slope[reading][name] = (s, float(lo), float(hi), a)
        res.expected_size[name] = sch.expected_size()
    res.params = {"T": Fraction(T) if not isinstance(T, str) else parse_decimal(T), "sub": sub, "method": method,
                  "n_schedules": n_schedules, "seed": seed, "n_boot": n_boot, "record_every": rec,
                  "executor": getattr(ex, "name", "custom")}
    res.seconds = time.perf_counter() - t0
    return res


# ---------------------------------------------------------------------------------------------
# exact state-independent check
# ---------------------------------------------------------------------------------------------
def ht_variance_exact(scheme: Any, v: Sequence[Sequence[Fraction]]) -> Fraction:
    """``Var = sum_ij (pi_ij / (pi_i pi_j) - 1) <v_i, v_j>`` (exact) for constant contributions ``v_i``.

    >>> from nncert.constructions.batches import Bernoulli
    >>> ht_variance_exact(Bernoulli(2, Fraction(1, 2)), [[1, 0], [0, 1]])
    Fraction(2, 1)
    """
    pi = scheme.pi()
    P = scheme.pi_matrix()
    p = len(pi)
    total = Fraction(0)
    for i in range(p):
        for j in range(p):
            ip = sum((Fraction(a) * Fraction(b) for a, b in zip(v[i], v[j])), Fraction(0))
            if ip:
                total += (P[i][j] / (pi[i] * pi[j]) - 1) * ip
    return total


def _const_task(task: tuple) -> np.ndarray:
    v, scheme, grid, seed, s_id, h_id, start, count = task
    p = v.shape[0]
    inv = 1.0 / np.array([float(q) for q in scheme.pi()])
    out = np.empty((count, grid.n_switch + 1))
    for k in range(start, start + count):
        masks = scheme.sample_many(schedule_rng(seed, s_id, h_id, k), grid.n_switch)
        incr = (masks * inv - 1.0) @ v * float(grid.h)  # (n_switch, d): x^h - x increments per interval
        dev = np.vstack([np.zeros((1, v.shape[1])), np.cumsum(incr, axis=0)])
        out[k - start] = np.sum(dev ** 2, axis=1)
    del p
    return out


def constant_field_check(
    v: Sequence[Sequence[Fraction]],
    schemes: dict[str, Any],
    hs: Sequence[Fraction],
    *,
    T: Fraction = Fraction(1),
    n_schedules: int = 400,
    seed: int = 0,
    executor: Executor | None = None,
) -> list[dict[str, Any]]:
    """State-independent ``f_i = v_i``: compare ``mean_s |x^h(t_j) - x(t_j)|^2`` with ``t_j h Var`` (exact).

    Returns one row per (scheme, h): exact ``Var``, ``predicted = T h Var``, sample mean, standard
    error, ``z`` and the first schedules' masks and errors (for re-checking).
    """
    ex = executor or SerialExecutor()
    vf = np.array([[float(a) for a in row] for row in v])
    rows, tasks, keys = [], [], []
    for s_id, (name, sch) in enumerate(schemes.items()):
        for h_id, h in enumerate(hs):
            g = make_grid(T, h)
            for start in range(0, n_schedules, 64):
                tasks.append((vf, sch, g, seed, 100 + s_id, h_id, start, min(64, n_schedules - start)))
                keys.append((name, h_id))
    outs = ex.map(_const_task, tasks)
    by: dict[tuple[str, int], list[np.ndarray]] = {}
    for k, o in zip(keys, outs):
        by.setdefault(k, []).append(o)
    for s_id, (name, sch) in enumerate(schemes.items()):
        var = ht_variance_exact(sch, v)
        for h_id, h in enumerate(hs):
            g = make_grid(T, h)
            e_all = np.concatenate(by[(name, h_id)])  # (n, n_switch + 1): errors at every t_j = j h
            e = e_all[:, -1]
            pred = g.T * g.h * var
            se_t = e_all.std(axis=0, ddof=1) / np.sqrt(len(e_all))
            curve = [(Fraction(j) * g.h, float(e_all[:, j].mean()), float(se_t[j]), Fraction(j) * g.h * g.h * var)
                     for j in range(1, g.n_switch + 1)]
            se = float(e.std(ddof=1) / np.sqrt(len(e)))
            first = [sch.sample_many(schedule_rng(seed, 100 + s_id, h_id, k), g.n_switch) for k in range(2)]
            rows.append({"scheme": name, "h": g.h, "var_exact": var, "predicted": pred, "mean": float(e.mean()),
                         "se": se, "z": (float(e.mean()) - float(pred)) / se if se > 0 else 0.0,
                         "n": len(e), "first_masks": first, "first_errors": [float(x) for x in e[:2]],
                         "curve": curve,
                         "max_abs_z_over_t": max((abs(m - float(pv)) / s_ for _, m, s_, pv in curve if s_ > 0), default=0.0)})
    return rows


# ---------------------------------------------------------------------------------------------
# exactly solvable TV case
# ---------------------------------------------------------------------------------------------
def gauss_tv(m1: float, s1: float, m2: float, s2: float) -> float:
    """Total variation ``sup_A |P1(A) - P2(A)|`` between ``N(m1, s1^2)`` and ``N(m2, s2^2)`` (closed form).

    The densities cross at the roots of a quadratic; TV is the mass difference between them.

    >>> round(gauss_tv(0, 1, 0, 1), 12), round(gauss_tv(0, 1, 1, 1), 6)
    (0.0, 0.382925)
    """
    from scipy.stats import norm

    if s1 <= 0 or s2 <= 0:
        raise InvalidArgument("standard deviations must be > 0")
    if abs(s1 - s2) <= 1e-15 * max(s1, s2):
        return float(2 * norm.cdf(abs(m1 - m2) / (2 * s1)) - 1)
    # log p1 - log p2 = 0  <=>  a x^2 + b x + c = 0
    a = 1 / (2 * s2**2) - 1 / (2 * s1**2)
    b = m1 / s1**2 - m2 / s2**2
    c = m2**2 / (2 * s2**2) - m1**2 / (2 * s1**2) + math.log(s2 / s1)
    disc = b * b - 4 * a * c
    r = math.sqrt(max(disc, 0.0))
    # numerically stable roots
    qv = -0.5 * (b + math.copysign(r, b))
    x1, x2 = sorted([qv / a, c / qv if qv != 0 else qv / a])
    inner = (norm.cdf(x2, m1, s1) - norm.cdf(x1, m1, s1)) - (norm.cdf(x2, m2, s2) - norm.cdf(x1, m2, s2))
    return float(abs(inner))


def _sum_law(values: list[tuple[Fraction, float]], K: int, limit: int = 200_000) -> dict[Fraction, float] | None:
    """Law of the sum of ``K`` iid copies (exact support, float probabilities) or None if too large."""
    law: dict[Fraction, float] = {Fraction(0): 1.0}
    for _ in range(K):
        nxt: dict[Fraction, float] = {}
        for s, ps in law.items():
            for v, pv in values:
                key = s + v
                nxt[key] = nxt.get(key, 0.0) + ps * pv
        law = nxt
        if len(law) > limit:
            return None
    return law


def gaussian_tv(
    lam: Sequence[Fraction],
    scheme: Any,
    hs: Sequence[Fraction],
    *,
    mu0: Fraction = Fraction(1),
    sigma0: Fraction = Fraction(1),
    T: Fraction = Fraction(1),
) -> dict[str, Any]:
    """Exact ``E TV(rho_T, rho^h_T)`` for ``x' = sum_i lam_i x`` with ``rho_0 = N(mu0, sigma0^2)``.

    Under batch ``B`` the rate is ``Lambda_B = sum_{i in B} lam_i / pi_i``; after ``K = T/h`` intervals
    ``x^h(T) = exp(delta) x(T)`` with ``delta = h sum_k Lambda_{B_k} - T sum_i lam_i``, so both
    pushforwards are Gaussian and ``TV`` depends on ``delta`` and ``kappa = mu0/sigma0`` only. The law
    of ``delta`` is enumerated exactly from the scheme's law (values exact, probabilities float).
    Asymptote: ``E TV ~ c(kappa) sqrt(2 T h Var / pi)`` with ``c(kappa) = E|z^2 + kappa z - 1| / 2``.
    """
    from scipy import integrate as si
    from scipy.stats import norm

    lam = [Fraction(x) for x in lam]
    pi = scheme.pi()
    law = scheme.enumerate_law()
    vals: dict[Fraction, float] = {}
    for B, q in law:
        v = sum((lam[i] / pi[i] for i in B), Fraction(0))
        vals[v] = vals.get(v, 0.0) + float(q)
    Lam = sum(lam, Fraction(0))
    var = sum(((v - Lam) ** 2 * Fraction(q) for B, q in law
               for v in [sum((lam[i] / pi[i] for i in B), Fraction(0))]), Fraction(0))
    kappa = float(mu0 / sigma0)
    c_kappa = 0.5 * si.quad(lambda z: abs(z * z + kappa * z - 1) * norm.pdf(z), -np.inf, np.inf,
                            points=None, limit=200)[0]
    rows = []
    for h in hs:
        g = make_grid(T, h)
        dist = _sum_law(sorted(vals.items()), g.n_switch)
        if dist is None:
            raise InvalidArgument(f"law of the schedule sum at h={fmt(g.h)} is too large to enumerate")
        etv = 0.0
        for s, ps in dist.items():
            delta = float(g.h * s - T * Lam)
            etv += ps * gauss_tv(kappa, 1.0, kappa * math.exp(delta), math.exp(delta))
        asym = c_kappa * math.sqrt(2 * float(T * g.h * var) / math.pi)
        rows.append({"h": g.h, "E_tv": etv, "asymptote": asym, "ratio": etv / asym, "support": len(dist)})
    s, a = fit_slope([float(r["h"]) for r in rows], [r["E_tv"] for r in rows])
    return {"rows": rows, "slope": s, "intercept": a, "var_exact": var, "c_kappa": c_kappa, "Lambda": Lam,
            "kappa": mu0 / sigma0}


# ---------------------------------------------------------------------------------------------
# cost-accuracy calibration
# ---------------------------------------------------------------------------------------------
def _calib_task(task: tuple) -> tuple[np.ndarray, int, float]:
    """Final-time squared errors of ``count`` schedules, neuron evaluations and seconds (Euler, dt = gamma h)."""
    fld, x0, scheme, grid, ref_T, seed, h_id, start, count = task
    t0 = time.perf_counter()
    masks = np.stack([scheme.sample_many(schedule_rng(seed, 300, h_id, k), grid.n_switch)
                      for k in range(start, start + count)])
    tr = integrate(fld, x0, grid, "euler", masks, scheme.pi(), record_every=grid.T)
    err = np.sum((tr.states[-1] - ref_T[None]) ** 2, axis=-1).mean(axis=1)  # (count,)
    evals = int(masks.sum()) * grid.sub * x0.shape[0]
    return err, evals, time.perf_counter() - t0


def calibrate(
    fld: Any,
    x0: np.ndarray,
    scheme: Any,
    ns: Sequence[int] = (2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128),
    *,
    gamma: Fraction = Fraction(1, 2),
    T: Fraction = Fraction(1),
    n_schedules: int = 32,
    eps_targets: Sequence[float] = (0.3, 0.2, 0.1),
    seed: int = 0,
    executor: Executor | None = None,
) -> dict[str, Any]:
    """Calibrate the RMS error model ``eps(h) = sqrt(S h) + c gamma h`` (Euler, ``dt = gamma h``, ``h = T/n``).

    ``c`` from the full model's error (pure discretization, ``c gamma h``; least squares through 0 in ``h``),
    then ``S`` from the random-batch errors with ``c`` fixed (least squares of ``eps - c gamma h`` on
    ``sqrt(h)``). Errors are RMS over data points and schedules at ``T`` against a fine RK4 reference
    (``dt = T/2048``). Costs: neuron evaluations ``sum_k |B_k| (h/dt) N`` (measured from the masks) and
    wall seconds. For each target ``eps``: predicted ``h*`` (closed form of
    :func:`nncert.verify.optimal_h.h_star_float`) vs the cheapest measured ``h`` meeting ``eps``, and the
    crossover tolerance below which the full model is cheaper under the calibrated model.
    """
    from nncert.verify.optimal_h import h_star_float

    ex = executor or SerialExecutor()
    x0 = np.asarray(x0, float)
    ref = integrate(fld, x0, make_grid(T, Fraction(T) / 2048), "rk4", record_every=T).states[-1, 0]
    grids = [make_grid(T, Fraction(T) / n, Fraction(T) / n * gamma) for n in ns]
    rows = []
    tasks, keys = [], []
    for j, g in enumerate(grids):
        for start in range(0, n_schedules, CHUNK):
            tasks.append((fld, x0, scheme, g, ref, seed, j, start, min(CHUNK, n_schedules - start)))
            keys.append(j)
    outs = ex.map(_calib_task, tasks)
    per: dict[int, list] = {}
    for j, o in zip(keys, outs):
        per.setdefault(j, []).append(o)
    p = fld.p
    for j, g in enumerate(grids):
        e2 = np.concatenate([o[0] for o in per[j]])
        t_full = time.perf_counter()
        full = integrate(fld, x0, g, "euler", record_every=T).states[-1, 0]
        t_full = time.perf_counter() - t_full
        rows.append({"h": g.h, "dt": g.dt, "rms": float(np.sqrt(e2.mean())), "sq_errors": e2,
                     "full_err": float(np.sqrt(np.mean(np.sum((full - ref) ** 2, axis=-1)))),
                     "evals": sum(o[1] for o in per[j]) / n_schedules, "seconds": sum(o[2] for o in per[j]) / n_schedules,
                     "full_evals": g.n_steps * p * x0.shape[0], "full_seconds": t_full})
    h = np.array([float(r["h"]) for r in rows])
    g_f = float(gamma)
    fe = np.array([r["full_err"] for r in rows])
    c = float(np.sum(fe * h) / np.sum(h * h)) / g_f
    resid = np.array([r["rms"] for r in rows]) - c * g_f * h
    sqrtS = float(np.sum(resid * np.sqrt(h)) / np.sum(h))
    S = max(sqrtS, 1e-300) ** 2
    Eb = float(scheme.expected_size())
    targets = []
    for eps in eps_targets:
        hstar = h_star_float(float(eps), S, c, g_f)
        ok = [r for r in rows if r["rms"] <= eps]
        meas = max(ok, key=lambda r: r["h"]) if ok else None
        h_full = min(eps / (c * g_f), float(T))  # a step longer than T is not available: one step at most
        targets.append({"eps": float(eps), "h_star": hstar, "h_measured": meas["h"] if meas else None,
                        "cost_rb_pred": float(T) / (g_f * min(hstar, float(T))) * Eb * x0.shape[0],
                        "cost_full_pred": float(T) / (g_f * h_full) * p * x0.shape[0],
                        "cost_rb_measured": meas["evals"] if meas else None,
                        "seconds_measured": meas["seconds"] if meas else None})
    # crossover: cost_rb(eps) = cost_full(eps)  <=>  min(h*, T) / E|B| = min(eps / (c gamma), T) / p
    def gap(le: float) -> float:
        e = math.exp(le)
        return (math.log(min(h_star_float(e, S, c, g_f), float(T)) / Eb)
                - math.log(min(e / (c * g_f), float(T)) / p))

    lo, hi = math.log(1e-12), math.log(1e6)
    cross = None
    if gap(lo) < 0 < gap(hi):  # RB cheaper above the crossover (h* / E|B| grows faster than h_full / p)
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if gap(mid) < 0 else (lo, mid)
        cross = math.exp(0.5 * (lo + hi))
    return {"rows": rows, "S": S, "c": c, "gamma": gamma, "targets": targets, "crossover_eps": cross,
            "expected_size": scheme.expected_size(), "p": p, "n_points": x0.shape[0], "n_schedules": n_schedules,
            "seed": seed, "T": Fraction(T)}
