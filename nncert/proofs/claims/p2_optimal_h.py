"""Claim (paper 2): closed-form optimal h from the cost-accuracy trade-off (RMS error model).

``err(h) = sqrt(S h) + c gamma h``; ``h* = 4 eps^2 / (S (1 + sqrt(1 + 4 c gamma eps / S))^2)``;
``err(h*) = eps`` and ``err(h) < eps`` for ``0 < h < h*``. Default instance
``(eps, S, c, gamma) = (1/20, 1/50, 1/2, 1/4)`` with ``h* = 2/25`` exactly.

``certify`` (untrusted): exact instance facts, the sympy derivation (roots, limits, monotonicity,
both models) and the z3 proof for all positive parameters (:mod:`nncert.verify.optimal_h`).

``check`` (trusted, Fractions only) for the stated instance: recomputes ``h*`` from the closed form
when ``w = sqrt(1 + 4 c gamma eps/S)`` is rational (``w`` given in the witness, verified by
``w >= 0``, ``w^2 = 1 + 4 c gamma eps / S``), verifies ``err(h*) = eps`` exactly through the stated
``sqrt(S h*)`` (``u >= 0``, ``u^2 = S h*``, ``u + c gamma h* = eps``); ``err(h) < eps`` for all
``h < h*`` then follows because ``err`` is strictly increasing (``S, c gamma > 0``). It also
re-verifies the rational brackets ``lo <= h* <= hi`` of both models by exact sign evaluations.
The z3 "for all positive parameters" result and the sympy derivation are ``admitted``.
"""

from __future__ import annotations

import time
from fractions import Fraction
from typing import Any

from nncert.core import Certificate, Status, Verdict, fmt, parse_exact, to_fraction
from nncert.errors import InvalidArgument, InvalidCertificate
from nncert.proofs import Claim
from nncert.proofs.claims._p2_est_common import need, need_list

ID = "P2.optimal_h"
STATEMENT = "closed-form optimal h from the cost-accuracy trade-off: model error at h* equals eps, below eps for h < h*"
DEFAULT = (Fraction(1, 20), Fraction(1, 50), Fraction(1, 2), Fraction(1, 4))


def certify(eps: object = DEFAULT[0], S: object = DEFAULT[1], c: object = DEFAULT[2], gamma: object = DEFAULT[3],
            *, z3: bool = True, sympy: bool = True, timeout_s: int = 30) -> Certificate:
    """Certificate for one instance plus the general (sympy, z3) results."""
    from nncert.verify import optimal_h as oh

    vals = {k: to_fraction(v, k) for k, v in (("eps", eps), ("S", S), ("c", c), ("gamma", gamma))}
    for k, v in vals.items():
        if v <= 0:
            raise InvalidArgument(f"{k} must be positive but got {k}={fmt(v)}")
    e, s_, c_, g = vals["eps"], vals["S"], vals["c"], vals["gamma"]
    timings: dict[str, str] = {}
    t0 = time.perf_counter()
    info = oh.describe_instance(e, s_, c_, g)
    w = oh.rational_sqrt(1 + 4 * c_ * g * e / s_)
    timings["exact"] = f"{time.perf_counter() - t0:.3f}"
    hs = info["h_star"]
    params = {"model": "rms", "eps": fmt(e), "S": fmt(s_), "c": fmt(c_), "gamma": fmt(g),
              "h_star": fmt(hs) if hs is not None else "irrational"}
    witness = {
        "w": fmt(w) if w is not None else "irrational",
        "sqrt_S_hstar": fmt(info["sqrt_S_hstar"]) if info["sqrt_S_hstar"] is not None else "irrational",
        "bracket": [fmt(x) for x in info["bracket"]],
        "ms_bracket": [fmt(x) for x in info["ms_bracket"]],
    }
    checked_by: dict[str, Any] = {"h_star_float": repr(info["h_star_float"]),
                                  "h_star_ms_float": repr(info["h_star_ms_float"])}
    admitted: list[str] = []
    if sympy:
        t1 = time.perf_counter()
        sv = oh.sympy_derivation()
        timings["sympy"] = f"{time.perf_counter() - t1:.3f}"
        checked_by["sympy"] = [v.summary() for v in sv]
        admitted.append("sympy: derivation of h* (both models), limits S->0 and c->0, monotonicity in eps, S, c, gamma")
    if z3:
        t2 = time.perf_counter()
        zv, secs = oh.z3_proof(timeout_s)
        timings["z3"] = f"{time.perf_counter() - t2:.3f}"
        checked_by["z3"] = {"verdicts": [v.summary().splitlines()[0] for v in zv], "seconds": secs}
        admitted.append("z3:unsat (QF_NRA): for all positive S, c, gamma, eps: err(h*) = eps, err(h) < eps for "
                        "0 < h < h*, err(h) > eps for h > h* (RMS); mean-square model likewise")
    return Certificate(ID, params, witness, tuple(admitted), checked_by, timings)


# ---- trusted ------------------------------------------------------------------------------------

def _sign_rms(h: Fraction, eps: Fraction, S: Fraction, a: Fraction) -> int:
    rest = eps - a * h
    if rest < 0:
        return 1
    return (S * h > rest * rest) - (S * h < rest * rest)


def _sign_ms(h: Fraction, eps: Fraction, S: Fraction, a: Fraction) -> int:
    v = S * h + a * a * h * h - eps * eps
    return (v > 0) - (v < 0)


def check(cert: Certificate, **_: Any) -> Verdict:
    """Trusted exact re-check of the instance (see the module docstring)."""
    P = need(cert.params, {"model", "eps", "S", "c", "gamma", "h_star"}, "params")
    W = need(cert.witness, {"w", "sqrt_S_hstar", "bracket", "ms_bracket"}, "witness")
    if P["model"] != "rms":
        raise InvalidCertificate("params.model: only 'rms' is certified by this claim")
    e, S, c, g = (parse_exact(P[k], f"params.{k}") for k in ("eps", "S", "c", "gamma"))
    if min(e, S, c, g) <= 0:
        raise InvalidCertificate("params: eps, S, c, gamma must be positive")
    a = c * g
    parts: list[Verdict] = []
    if P["h_star"] != "irrational":
        hs = parse_exact(P["h_star"], "params.h_star")
        w = parse_exact(W["w"], "witness.w") if W["w"] != "irrational" else None
        u = parse_exact(W["sqrt_S_hstar"], "witness.sqrt_S_hstar") if W["sqrt_S_hstar"] != "irrational" else None
        if w is None or w < 0 or w * w != 1 + 4 * a * e / S:
            parts.append(Verdict(Status.REFUTED, "closed form", reason="witness.w is not sqrt(1 + 4 c gamma eps / S)",
                                 counterexample={"w": str(W["w"])[:60]}))
        else:
            formula = 4 * e * e / (S * (1 + w) ** 2)
            parts.append(Verdict(Status.HOLDS, "closed form", evidence=f"h* = 4eps^2/(S(1+w)^2) = {fmt(formula)}, "
                                 f"w = {fmt(w)}") if formula == hs else
                         Verdict(Status.REFUTED, "closed form", reason=f"stated h* {fmt(hs)} but formula gives "
                                 f"{fmt(formula)}", counterexample={"h_star": fmt(formula)}))
        if u is None or u < 0 or u * u != S * hs:
            parts.append(Verdict(Status.REFUTED, "err(h*) = eps", reason="witness.sqrt_S_hstar is not sqrt(S h*)",
                                 counterexample={"sqrt_S_hstar": str(W["sqrt_S_hstar"])[:60]}))
        elif u + a * hs != e:
            parts.append(Verdict(Status.REFUTED, "err(h*) = eps", reason=f"err(h*) = {fmt(u + a * hs)} != eps",
                                 counterexample={"err": fmt(u + a * hs), "eps": fmt(e)}))
        else:
            parts.append(Verdict(Status.HOLDS, "err(h*) = eps",
                                 evidence=f"sqrt(S h*) = {fmt(u)}, {fmt(u)} + {fmt(a)}*{fmt(hs)} = {fmt(e)} exactly"))
            parts.append(Verdict(Status.HOLDS, "err(h) < eps for h < h*",
                                 evidence="err is strictly increasing (S > 0, c gamma > 0), err(h*) = eps"))
    br = [parse_exact(x, "witness.bracket") for x in need_list(W["bracket"], "witness.bracket", 2)]
    mb = [parse_exact(x, "witness.ms_bracket") for x in need_list(W["ms_bracket"], "witness.ms_bracket", 2)]
    if len(br) != 2 or len(mb) != 2:
        raise InvalidCertificate("witness brackets must have two entries")
    for name, (lo, hi), sign in (("rms bracket", br, _sign_rms), ("ms bracket", mb, _sign_ms)):
        slo, shi = sign(lo, e, S, a), sign(hi, e, S, a)
        ok = 0 <= lo <= hi and slo <= 0 <= shi and (lo != hi or slo == 0)
        if ok and name == "rms bracket" and P["h_star"] != "irrational":
            ok = lo <= parse_exact(P["h_star"], "params.h_star") <= hi
        parts.append(Verdict(Status.HOLDS, name, evidence=f"h* in [{fmt(lo)[:40]}, {fmt(hi)[:40]}] "
                             f"(width {float(hi - lo):.2e}, exact sign checks)") if ok else
                     Verdict(Status.REFUTED, name, reason="err(lo) <= eps <= err(hi) fails",
                             counterexample={"lo": fmt(lo)[:80], "hi": fmt(hi)[:80]}))
    return Verdict.combine(ID, parts, cert.admitted)


def _quick() -> Certificate:
    return certify()


CLAIM = Claim(
    id=ID,
    statement=STATEMENT,
    paper_part="Paper 2, optimal h",
    certify=certify,
    check=check,
    quick=_quick,
    full=_quick,
)
