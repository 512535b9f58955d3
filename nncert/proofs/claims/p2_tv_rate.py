"""Claim (paper 2, distribution level): the total-variation error of the pushed-forward distribution is
O(h^(1/2)) (``random_batch.md`` section 6.4). TV means ``sup_A |P(A) - Q(A)|`` = L1 / 2 throughout.

Exactly solvable part: scalar linear field ``F(x) = sum_i lam_i x`` with ``rho_0 = N(mu0, sigma0^2)``.
Both pushforwards are Gaussian; with ``delta = h sum_k Lambda_{B_k} - T sum_i lam_i`` the random-batch law
is ``N(e^delta m, e^(2 delta) s^2)`` against ``N(m, s^2)``. ``E TV`` is an exact expectation over the
(enumerated) law of the schedule; only the Gaussian TV integrals are numeric. The checker re-enumerates
the law from the scheme spec with its own closed forms, evaluates every TV by adaptive quadrature
(the producer uses the closed form through the densities' crossing points), refits the slope and checks it
lies in the stated band, and checks the small-h values against the asymptote
``c(kappa) sqrt(2 T h Var / pi)``, ``c(kappa) = E|z^2 + kappa z - 1| / 2``, ``kappa = mu0 / sigma0``.

Particle part (optional, ``witness.particle``): flow-matching pushforward with a histogram density
estimate; recorded for information (histogram L1 and TV = L1/2, bandwidth/bins, coupling RMS as a W2 upper
bound) and re-checked only for internal consistency (the slope refit); it is a statistical estimate and
is admitted as such.
"""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import combinations
from typing import Any, Sequence

import numpy as np

from nncert.core import Certificate, Verdict, fmt, parse_exact
from nncert.errors import InvalidCertificate
from nncert.proofs import Claim
from nncert.proofs.claims._rbm_common import close, fl, holds, need, read_floats, refuted, unknown
from nncert.verify.rbm_reference import inclusion_exact, parse_float, tv_quad

ID = "P2.tv_rate"
STATEMENT = "total-variation error of the pushed-forward distribution is O(h^(1/2))"
DEFAULT_LAM = (Fraction(1, 4), Fraction(-1, 8), Fraction(1, 8))


def certify(
    *, lam: Sequence[Fraction] = DEFAULT_LAM, scheme: str = "bernoulli:1/2", hs: Sequence[Fraction] | None = None,
    mu0: Fraction = Fraction(1), sigma0: Fraction = Fraction(1), T: Fraction = Fraction(1),
    slope_band: tuple[Fraction, Fraction] = (Fraction(2, 5), Fraction(3, 5)), asym_tol: Fraction = Fraction(1, 20),
    n_small: int = 2, particle: dict[str, Any] | None = None,
) -> Certificate:
    """Exact Gaussian case (untrusted producer), optionally with a particle-experiment record."""
    import time

    from nncert.constructions.rbm_experiments import gaussian_tv, parse_scheme

    t0 = time.perf_counter()
    hs = list(hs) if hs is not None else [Fraction(1, 2**k) for k in range(1, 7)]
    sch = parse_scheme(scheme, len(lam))
    g = gaussian_tv(lam, sch, hs, mu0=mu0, sigma0=sigma0, T=T)
    params = {"T": fmt(T), "h_grid": [fmt(h) for h in hs], "slope_band": [fmt(x) for x in slope_band],
              "asymptote_tolerance": fmt(asym_tol), "n_small": str(n_small), "slope": fl(g["slope"])}
    witness = {
        "gaussian": {
            "lam": [fmt(Fraction(x)) for x in lam], "scheme": sch.spec(), "mu0": fmt(mu0), "sigma0": fmt(sigma0),
            "var_exact": fmt(g["var_exact"]), "c_kappa": fl(g["c_kappa"]),
            "rows": [{"h": fmt(r["h"]), "E_tv": fl(r["E_tv"]), "asymptote": fl(r["asymptote"])} for r in g["rows"]],
        },
        "particle": particle,
    }
    admitted = ["numeric: Gaussian TV integrals and c(kappa) in float64 (closed form by the producer, adaptive "
                "quadrature by the checker, agreement to 1e-7 relative)"]
    if particle is not None:
        admitted.append("statistical: particle pushforward TV from a histogram density estimate (bias from binning, "
                        "sampling noise); recorded, not proved")
    checked_by = {"producer": "nncert.constructions.rbm_experiments.gaussian_tv (closed-form Gaussian TV, exact law)",
                  "support_sizes": [str(r["support"]) for r in g["rows"]]}
    return Certificate(ID, params, witness, tuple(admitted), checked_by,
                       {"gaussian": f"{time.perf_counter() - t0:.3f}"})


# ------------------------------------------------------------------------------------------------
def _law(spec: dict, lam: list[Fraction]) -> dict[Fraction, Fraction]:
    """Law of ``Lambda_B = sum_{i in B} lam_i / pi_i`` (exact), from the spec by its own enumeration."""
    pi, _ = inclusion_exact(spec)
    p = len(pi)
    if len(lam) != p:
        raise InvalidCertificate(f"gaussian.lam has {len(lam)} entries but the scheme has p={p}")
    kind = spec["scheme"]
    outcomes: list[tuple[tuple[int, ...], Fraction]] = []
    if kind == "full":
        outcomes = [(tuple(range(p)), Fraction(1))]
    elif kind == "bernoulli":
        if p > 14:
            raise InvalidCertificate("bernoulli law with p > 14 is too large for the checker")
        q = pi[0]
        outcomes = [(B, q ** len(B) * (1 - q) ** (p - len(B))) for k in range(p + 1) for B in combinations(range(p), k)]
    elif kind == "uniform":
        r = int(spec["r"])
        if math.comb(p, r) > 20000:
            raise InvalidCertificate("uniform law too large for the checker")
        outcomes = [(B, Fraction(1, math.comb(p, r))) for B in combinations(range(p), r)]
    elif kind == "partition":
        blocks = spec["blocks"]
        outcomes = [(tuple(int(i) for i in b), Fraction(1, len(blocks))) for b in blocks]
    else:
        outcomes = [(tuple(int(i) for i in b), parse_exact(q, "probs")) for b, q in zip(spec["batches"], spec["probs"])]
    law: dict[Fraction, Fraction] = {}
    for B, q in outcomes:
        v = sum((lam[i] / pi[i] for i in B), Fraction(0))
        law[v] = law.get(v, Fraction(0)) + q
    return law


def _sum_law(law: dict[Fraction, Fraction], K: int) -> dict[Fraction, float]:
    dist: dict[Fraction, float] = {Fraction(0): 1.0}
    items = [(v, float(q)) for v, q in law.items()]
    for _ in range(K):
        nxt: dict[Fraction, float] = {}
        for s, ps in dist.items():
            for v, q in items:
                nxt[s + v] = nxt.get(s + v, 0.0) + ps * q
        dist = nxt
        if len(dist) > 100_000:
            raise InvalidCertificate("schedule-sum law too large for the checker")
    return dist


def check(cert: Certificate, **_: Any) -> Verdict:
    """Trusted re-check of the Gaussian part (quadrature, own enumeration) and the particle record."""
    from scipy import integrate

    P = need(cert.params, {"T", "h_grid", "slope_band", "asymptote_tolerance", "n_small", "slope"}, "params")
    w = need(cert.witness, {"gaussian", "particle"}, "witness")
    gw = need(w["gaussian"], {"lam", "scheme", "mu0", "sigma0", "var_exact", "c_kappa", "rows"}, "witness.gaussian")
    T = parse_exact(P["T"], "T")
    if not isinstance(P["h_grid"], list) or len(P["h_grid"]) < 2 or not isinstance(gw["lam"], list):
        raise InvalidCertificate("params.h_grid must list >= 2 values")
    hs = [parse_exact(h, "h_grid") for h in P["h_grid"]]
    if T <= 0 or any(h <= 0 or (T / h).denominator != 1 or T / h > 512 for h in hs):
        raise InvalidCertificate("h_grid: every T/h must be an integer in 1..512")
    if not isinstance(P["slope_band"], list) or len(P["slope_band"]) != 2:
        raise InvalidCertificate("params.slope_band must be [lo, hi]")
    lo, hi = (parse_exact(x, "slope_band") for x in P["slope_band"])
    tol = parse_exact(P["asymptote_tolerance"], "asymptote_tolerance")
    n_small = int(parse_exact(P["n_small"], "n_small"))
    lam = [parse_exact(x, "lam") for x in gw["lam"]]
    mu0, sigma0 = parse_exact(gw["mu0"], "mu0"), parse_exact(gw["sigma0"], "sigma0")
    if sigma0 <= 0 or not 1 <= n_small <= len(hs):
        raise InvalidCertificate("sigma0 must be > 0 and 1 <= n_small <= len(h_grid)")
    law = _law(gw["scheme"], lam)
    Lam = sum(lam, Fraction(0))
    if max(abs(v - Lam) for v in law) * T > 20 or abs(mu0 / sigma0) > 1000:
        raise InvalidCertificate("rates lam_i / pi_i or mu0 / sigma0 too large for float64 re-checking")
    var = sum(((v - Lam) ** 2 * q for v, q in law.items()), Fraction(0))
    parts: list[Verdict] = []
    if parse_exact(gw["var_exact"], "var_exact") != var:
        parts.append(refuted("Var of the batch rate", f"stated {gw['var_exact']} but exactly {fmt(var)}", var=fmt(var)))
    kappa = float(mu0 / sigma0)
    c_k = 0.5 * integrate.quad(lambda z: abs(z * z + kappa * z - 1) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi),
                               -40, 40, points=sorted({(-kappa - math.sqrt(kappa**2 + 4)) / 2,
                                                       (-kappa + math.sqrt(kappa**2 + 4)) / 2}), limit=200)[0]
    if not close(parse_float(gw["c_kappa"], "c_kappa"), c_k, 1e-7):
        parts.append(refuted("c(kappa)", f"stated {gw['c_kappa']} but quadrature gives {c_k:.12g}"))
    rows = gw["rows"]
    if not isinstance(rows, list) or len(rows) != len(hs):
        raise InvalidCertificate("gaussian.rows must have one row per h")
    etvs, bad = [], []
    for h, row in zip(hs, rows):
        row = need(row, {"h", "E_tv", "asymptote"}, "gaussian.rows[]")
        if parse_exact(row["h"], "h") != h:
            raise InvalidCertificate("gaussian.rows h values do not match params.h_grid")
        dist = _sum_law(law, int(T / h))
        etv = 0.0
        for s, ps in dist.items():
            dl = float(h * s - T * Lam)
            etv += ps * tv_quad(kappa, 1.0, kappa * math.exp(dl), math.exp(dl))
        asym = c_k * math.sqrt(2 * float(T * h * var) / math.pi)
        if not close(parse_float(row["E_tv"], "E_tv"), etv, 1e-7, 1e-12):
            bad.append(f"h={fmt(h)}: stated E TV {row['E_tv']} but quadrature gives {etv:.12g}")
        if not close(parse_float(row["asymptote"], "asymptote"), asym, 1e-7):
            bad.append(f"h={fmt(h)}: stated asymptote {row['asymptote']} but {asym:.12g}")
        etvs.append(etv)
    if bad:
        parts.append(refuted("E TV values", "; ".join(bad[:3])))
        return Verdict.combine(ID, parts, cert.admitted)
    parts.append(holds("E TV values", f"{len(hs)} values re-derived by quadrature over the exactly enumerated law"))
    x, y = np.log([float(h) for h in hs]), np.log(etvs)
    sl = float(np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2))
    if not close(parse_float(P["slope"], "slope"), sl, 1e-7, 1e-10):
        parts.append(refuted("slope", f"stated {P['slope']} but the values give {sl:.9f}", slope=fl(sl)))
    elif float(lo) <= sl <= float(hi):
        parts.append(holds("slope of E TV vs h", f"{sl:.4f} in [{fmt(lo)}, {fmt(hi)}] over h = {fmt(hs[0])}..{fmt(hs[-1])}"))
    else:
        parts.append(refuted("slope of E TV vs h", f"{sl:.4f} not in [{fmt(lo)}, {fmt(hi)}]", slope=fl(sl)))
    ratios = [etvs[k] / (c_k * math.sqrt(2 * float(T * hs[k] * var) / math.pi)) for k in range(len(hs) - n_small, len(hs))]
    ev = ", ".join(f"h={fmt(hs[len(hs) - n_small + k])}: {r:.4f}" for k, r in enumerate(ratios))
    if all(abs(r - 1) <= float(tol) for r in ratios):
        parts.append(holds("small-h asymptote", f"E TV / (c sqrt(2 T h Var/pi)) = {ev} within {fmt(tol)}"))
    else:
        parts.append(refuted("small-h asymptote", f"ratios {ev} not within {fmt(tol)} of 1"))
    parts.extend(_check_particle(w["particle"]))
    return Verdict.combine(ID, parts, cert.admitted)


def _check_particle(pw: Any) -> list[Verdict]:
    if pw is None:
        return []
    pw = need(pw, {"h_grid", "tv_hist", "l1_hist", "coupling_rms", "bins", "bin_width", "n_particles", "noise_floor",
                   "slope_tv", "slope_rms"}, "witness.particle")
    hs = [parse_exact(h, "particle.h_grid") for h in pw["h_grid"]] if isinstance(pw["h_grid"], list) else []
    if len(hs) < 2 or any(h <= 0 for h in hs):
        raise InvalidCertificate("particle.h_grid must list >= 2 positive values")
    tv = read_floats(pw["tv_hist"], (len(hs),), "particle.tv_hist")
    l1 = read_floats(pw["l1_hist"], (len(hs),), "particle.l1_hist")
    rms = read_floats(pw["coupling_rms"], (len(hs),), "particle.coupling_rms")
    if not np.allclose(l1, 2 * tv, rtol=1e-12, atol=0):
        return [refuted("particle: TV = L1/2", "recorded L1 is not twice the recorded TV")]
    x = np.log([float(h) for h in hs])
    out = []
    for name, key, y in (("particle TV (histogram) record", "slope_tv", tv), ("particle coupling RMS slope", "slope_rms", rms)):
        if np.any(y <= 0):
            raise InvalidCertificate(f"particle.{key}: values must be > 0")
        ly = np.log(y)
        sl = float(np.sum((x - x.mean()) * (ly - ly.mean())) / np.sum((x - x.mean()) ** 2))
        if not close(parse_float(pw[key], key), sl, 1e-7, 1e-10):
            out.append(refuted(name, f"stated {pw[key]} but the recorded values give {sl:.6f}"))
        elif key == "slope_tv":
            out.append(holds(name, f"TV = L1/2 consistent, histogram-TV slope {sl:.3f} recorded (statistical estimate, "
                             f"{pw['bins']} bins/axis, noise floor ~ {parse_float(pw['noise_floor'], 'noise_floor'):.3g}; informational, not tested "
                             "against 1/2)", ("statistical: particle histogram TV (informational)",)))
        elif 0.4 <= sl <= 0.6:
            out.append(holds(name, f"RMS coupling (W2 upper bound) slope {sl:.3f} in [2/5, 3/5]; statistical "
                             "(finitely many particles and schedules)", ("statistical: particle coupling RMS slope",)))
        else:
            out.append(unknown(name, f"RMS coupling slope {sl:.3f} outside [2/5, 3/5] (statistical estimate)",
                               admitted=("statistical: particle coupling RMS slope",)))
    return out


def _quick() -> Certificate:
    return certify(hs=[Fraction(1, 2**k) for k in range(1, 6)])


CLAIM = Claim(
    id=ID,
    statement=STATEMENT,
    paper_part="Paper 2, distribution-level convergence (TV error of order h^(1/2))",
    certify=certify,
    check=check,
    depends_on=("P2.trajectory_rate",),
    quick=_quick,
)
