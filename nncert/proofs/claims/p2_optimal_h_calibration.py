"""Claim (paper 2, cost-accuracy trade-off in practice): the optimal ``h*`` predicted from calibrated ``S`` and
``c`` matches the cheapest measured ``h`` that meets the tolerance ``eps`` (``random_batch.md`` section 6.6,
RMS error model ``eps(h) = sqrt(S h) + c gamma h``, Euler with ``dt = gamma h``).

The trusted checker re-derives, with its own code (:func:`nncert.verify.rbm_reference.solve_one`):
the fine RK4 reference, the full model's Euler error at every ``h`` (which calibrates ``c``), the first
schedule's random-batch error at every ``h``; then the RMS errors from the recorded per-schedule errors,
the least-squares ``c`` and ``S``, ``h*`` from the closed form (and that it solves ``eps(h*) = eps``),
the cheapest measured ``h`` with ``RMS <= eps``, and the full-vs-random-batch crossover tolerance.
"Matches" means ``|log2(h* / h_measured)| <= log2(match_factor)`` (default factor 2, one octave): the
measured errors come from finitely many schedules, so this part is statistical and admitted.
"""

from __future__ import annotations

import math
import time
from fractions import Fraction
from typing import Any

import numpy as np

from nncert.core import Certificate, Verdict, fmt, parse_exact
from nncert.errors import InvalidCertificate
from nncert.proofs import Claim
from nncert.proofs.claims._rbm_common import (
    bits, close, ex_array, fl, holds, need, read_exact, read_floats, refuted, unknown,
)
from nncert.verify.rbm_reference import inclusion_exact, mask_in_support, parse_bits, parse_float, solve_one

ID = "P2.optimal_h_calibration"
STATEMENT = "the predicted h* from calibrated S, c matches the cheapest measured h meeting eps"
REF_STEPS = 2048


def run(*, p: int = 256, r: int = 32, n_points: int = 32, ns: tuple[int, ...] = (2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128),
        gamma: Fraction = Fraction(1), n_schedules: int = 32, eps_targets: tuple[str, ...] = ("0.3", "0.2", "0.1"),
        scale: float = 2.0, seed: int = 0, executor: Any = None) -> dict[str, Any]:
    """Calibration run (untrusted): mean-field random field, uniform r of p."""
    from nncert.constructions.rbm_experiments import calibrate, parse_scheme, schedule_rng, two_circles
    from nncert.constructions.rbm_fields import random_classification_field

    t0 = time.perf_counter()
    fld = random_classification_field(p, seed=seed, mean_field=True, scale=scale)
    X, _, _ = two_circles(n_points, seed=seed)
    sch = parse_scheme(f"uniform:{r}", p)
    eps_exact = [Fraction(e) for e in eps_targets]
    res = calibrate(fld, X, sch, ns, gamma=gamma, n_schedules=n_schedules, eps_targets=[float(e) for e in eps_exact],
                    seed=seed, executor=executor)
    res["first_masks"] = [sch.sample_many(schedule_rng(seed, 300, j, 0), n) for j, n in enumerate(ns)]
    res.update(field=fld, X=X, scheme=sch, ns=ns, eps_exact=eps_exact, seconds=time.perf_counter() - t0)
    return res


def certify_from(res: dict[str, Any], match_factor: Fraction = Fraction(2)) -> Certificate:
    """Certificate from :func:`run`."""
    A, b, W = res["field"].control.at(0.0)
    params = {"T": fmt(res["T"]), "gamma": fmt(res["gamma"]), "model": "rms", "n_schedules": str(res["n_schedules"]),
              "ns": [str(n) for n in res["ns"]], "eps": [fmt(e) for e in res["eps_exact"]], "match_factor": fmt(match_factor),
              "reference_steps": str(REF_STEPS)}
    rows = [{"h": fmt(r["h"]), "rms": fl(r["rms"]), "full_err": fl(r["full_err"]),
             "sq_errors": [fl(x) for x in r["sq_errors"]], "first_masks": [bits(m) for m in fm],
             "neuron_evals": fl(r["evals"]), "full_neuron_evals": str(r["full_evals"]), "seconds": fl(r["seconds"]),
             "full_seconds": fl(r["full_seconds"])} for r, fm in zip(res["rows"], res["first_masks"])]
    targets = [{"eps": fmt(e), "h_star": fl(t["h_star"]), "h_measured": fmt(t["h_measured"]) if t["h_measured"] else None}
               for e, t in zip(res["eps_exact"], res["targets"])]
    witness = {"field": {"act": "tanh", "A": ex_array(A), "b": ex_array(b), "W": ex_array(W)}, "x0": ex_array(res["X"]),
               "scheme": res["scheme"].spec(), "rows": rows, "S": fl(res["S"]), "c": fl(res["c"]), "targets": targets,
               "crossover_eps": fl(res["crossover_eps"]) if res["crossover_eps"] is not None else None}
    admitted = (f"statistical: RMS errors from {res['n_schedules']} schedules per h; h* within a factor "
                f"{fmt(match_factor)} of the cheapest measured h",
                "re-simulation of the first schedule per h only; the other schedules' errors are taken as recorded")
    checked_by = {"producer": "nncert.constructions.rbm_experiments.calibrate; h* by nncert.verify.optimal_h.h_star_float",
                  "costs": [{"h": x["h"], "neuron_evals": x["neuron_evals"], "full": x["full_neuron_evals"]} for x in rows]}
    return Certificate(ID, params, witness, admitted, checked_by, {"run": f"{res['seconds']:.3f}"})


def certify(**kwargs: Any) -> Certificate:
    """Run and certify (untrusted)."""
    return certify_from(run(**kwargs))


def _h_star(eps: float, S: float, a: float) -> float:
    return 4 * eps * eps / (S * (1 + math.sqrt(1 + 4 * a * eps / S)) ** 2)


def check(cert: Certificate, **_: Any) -> Verdict:
    """Trusted re-check (see the module docstring)."""
    P = need(cert.params, {"T", "gamma", "model", "n_schedules", "ns", "eps", "match_factor", "reference_steps"}, "params")
    w = need(cert.witness, {"field", "x0", "scheme", "rows", "S", "c", "targets", "crossover_eps"}, "witness")
    if P["model"] != "rms":
        raise InvalidCertificate("params.model must be 'rms'")
    T, gamma = parse_exact(P["T"], "T"), parse_exact(P["gamma"], "gamma")
    mf = parse_exact(P["match_factor"], "match_factor")
    K = int(parse_exact(P["n_schedules"], "n_schedules"))
    ref_steps = int(parse_exact(P["reference_steps"], "reference_steps"))
    if not isinstance(P["ns"], list) or len(P["ns"]) < 2 or not isinstance(P["eps"], list):
        raise InvalidCertificate("params.ns must list >= 2 values")
    ns = [int(parse_exact(n, "ns")) for n in P["ns"]]
    if T <= 0 or not 0 < gamma <= 1 or (1 / gamma).denominator != 1 or mf < 1 or K < 2 or ref_steps < 16 \
            or ref_steps > 1 << 14 or any(n < 1 or n > 4096 for n in ns):
        raise InvalidCertificate("params out of range (1/gamma must be an integer)")
    fw = need(w["field"], {"act", "A", "b", "W"}, "field")
    if not isinstance(fw["A"], list) or not fw["A"] or not isinstance(fw["A"][0], list):
        raise InvalidCertificate("field.A must be a matrix")
    p, d = len(fw["A"]), len(fw["A"][0])
    A, b, W = read_exact(fw["A"], (p, d), "A"), read_exact(fw["b"], (p,), "b"), read_exact(fw["W"], (d, p), "W")
    if not isinstance(w["x0"], list) or not w["x0"]:
        raise InvalidCertificate("x0 must be a non-empty list")
    x0 = read_exact(w["x0"], (len(w["x0"]), d), "x0")
    pi, _ = inclusion_exact(w["scheme"])
    if len(pi) != p:
        raise InvalidCertificate("scheme p does not match the field")
    pif = [float(v) for v in pi]
    if not isinstance(w["rows"], list) or len(w["rows"]) != len(ns):
        raise InvalidCertificate("witness.rows must have one row per n")
    ref = solve_one(A, b, W, fw["act"], x0, None, pif, T, T / ref_steps, T / ref_steps, "rk4", T)[-1]
    parts: list[Verdict] = []
    bad, hs, rms, full = [], [], [], []
    for n, row in zip(ns, w["rows"]):
        row = need(row, {"h", "rms", "full_err", "sq_errors", "first_masks", "neuron_evals", "full_neuron_evals",
                         "seconds", "full_seconds"}, "rows[]")
        h = T / n
        if parse_exact(row["h"], "h") != h:
            raise InvalidCertificate("rows h values do not match T/ns")
        dt = h * gamma
        fe = float(np.sqrt(np.mean(np.sum((solve_one(A, b, W, fw["act"], x0, None, pif, T, h, dt, "euler", T)[-1] - ref) ** 2,
                                          axis=-1))))
        if not close(parse_float(row["full_err"], "full_err"), fe, 1e-8, 1e-14):
            bad.append(f"h={fmt(h)}: full-model error stated {row['full_err']} but {fe:.12g}")
        sq = read_floats(row["sq_errors"], (K,), "sq_errors")
        if np.any(sq < 0):
            raise InvalidCertificate("sq_errors must be >= 0")
        if not isinstance(row["first_masks"], list) or len(row["first_masks"]) != n:
            raise InvalidCertificate("first_masks must list T/h masks")
        M = np.stack([parse_bits(m, p, "first_masks") for m in row["first_masks"]])
        if not all(mask_in_support(w["scheme"], m) for m in M):
            bad.append(f"h={fmt(h)}: a mask is not in the scheme's support")
            continue
        e0 = float(np.mean(np.sum((solve_one(A, b, W, fw["act"], x0, M, pif, T, h, dt, "euler", T)[-1] - ref) ** 2, axis=-1)))
        if not close(float(sq[0]), e0, 1e-8, 1e-14):
            bad.append(f"h={fmt(h)}: first schedule's error stated {sq[0]!r} but {e0:.12g}")
        r_ = float(np.sqrt(sq.mean()))
        if not close(parse_float(row["rms"], "rms"), r_, 1e-12, 1e-15):
            bad.append(f"h={fmt(h)}: RMS stated {row['rms']} but the recorded errors give {r_:.12g}")
        hs.append(float(h))
        rms.append(r_)
        full.append(fe)
    if bad:
        parts.append(refuted("recorded errors", "; ".join(bad[:3])))
        return Verdict.combine(ID, parts, cert.admitted)
    parts.append(holds("recorded errors", f"reference, full-model errors and first schedules re-simulated at {len(ns)} h"))
    h_, g = np.array(hs), float(gamma)
    c = float(np.sum(np.array(full) * h_) / np.sum(h_ * h_)) / g
    sqrtS = float(np.sum((np.array(rms) - c * g * h_) * np.sqrt(h_)) / np.sum(h_))
    S = sqrtS ** 2
    if not close(parse_float(w["c"], "c"), c, 1e-9) or not close(parse_float(w["S"], "S"), S, 1e-9):
        parts.append(refuted("calibration", f"stated S={w['S']}, c={w['c']} but least squares give S={S:.10g}, c={c:.10g}"))
        return Verdict.combine(ID, parts, cert.admitted)
    parts.append(holds("calibration", f"S = {S:.6g}, c = {c:.6g} (least squares: c from the full model's error, S with c "
                       "fixed)"))
    if not isinstance(w["targets"], list) or len(w["targets"]) != len(P["eps"]):
        raise InvalidCertificate("targets must list one entry per eps")
    for e_txt, t in zip(P["eps"], w["targets"]):
        t = need(t, {"eps", "h_star", "h_measured"}, "targets[]")
        eps = parse_exact(e_txt, "eps")
        if parse_exact(t["eps"], "eps") != eps or eps <= 0:
            raise InvalidCertificate("targets eps do not match params.eps")
        hst = _h_star(float(eps), S, c * g)
        solves = abs(math.sqrt(S * hst) + c * g * hst - float(eps)) <= 1e-9 * float(eps)
        ok = [hh for hh, rr in zip(hs, rms) if rr <= float(eps)]
        meas = max(ok) if ok else None
        name = f"eps = {fmt(eps)}"
        stated_meas = parse_exact(t["h_measured"], "h_measured") if t["h_measured"] is not None else None
        if not close(parse_float(t["h_star"], "h_star"), hst, 1e-9) or not solves:
            parts.append(refuted(name, f"stated h* {t['h_star']} but the closed form gives {hst:.10g}"))
            continue
        if (stated_meas is None) != (meas is None) or (meas is not None and float(stated_meas) != meas):
            parts.append(refuted(name, f"stated cheapest measured h {t['h_measured']} but the data give {meas}"))
            continue
        adm = ("statistical: h* vs cheapest measured h",)
        if meas is None:
            parts.append(unknown(name, f"no measured h meets eps (h* = {hst:.4g})", admitted=adm))
            continue
        ratio = hst / meas
        ev = f"h* = {hst:.4g} vs cheapest measured h = {fmt(stated_meas)} ({meas:.4g}): ratio {ratio:.3f}"
        if abs(math.log(ratio)) <= math.log(float(mf)) + 1e-12:
            parts.append(holds(name, ev + f", within a factor {fmt(mf)} (statistical: measured errors over {K} schedules)",
                               adm))
        else:
            parts.append(unknown(name, f"ratio {ratio:.3f} not within a factor {fmt(mf)}", ev, adm))
    return Verdict.combine(ID, parts, cert.admitted)


def _quick() -> Certificate:
    return certify(p=64, r=16, n_points=12, ns=(2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64), n_schedules=16,
                   eps_targets=("0.4", "0.3", "0.2"))


CLAIM = Claim(
    id=ID,
    statement=STATEMENT,
    paper_part="Paper 2, cost-accuracy trade-off validated in practice (calibrated S, c and predicted h*)",
    certify=certify,
    check=check,
    depends_on=("P2.optimal_h", "P2.trajectory_rate"),
    quick=_quick,
)
