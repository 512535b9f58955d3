"""Claim (paper 2, trajectory convergence): the mean-square error of the random-batch trajectory is O(h),
in both readings ``sup_t E`` and ``E sup_t`` (``random_batch.md`` section 6.3).

Two parts:

* *exact identity* (state-independent field ``f_i = v_i``): ``E|x^h(T) - x(T)|^2 = T h Var`` with
  ``Var = sum_ij (pi_ij / (pi_i pi_j) - 1) <v_i, v_j>``. The checker recomputes ``Var`` exactly from the
  scheme's closed-form inclusion probabilities, re-derives the recorded schedules' errors exactly in
  Fractions from their masks, and compares the Monte-Carlo mean with ``T h Var`` (|z| <= z_max, a
  statistical test: admitted);
* *measured rate* (classification field): per scheme and ``h``, both readings of the MSE. The checker
  re-simulates the first recorded schedules with its own dense integrator
  (:func:`nncert.verify.rbm_reference.solve_one`), recomputes both readings from the recorded per-schedule
  data, refits the log-log slopes and requires the ``sup_t E`` and ``E sup_t`` slopes to lie in the stated
  band. A slope is a statistical estimate: the bootstrap CI is reported, the test is admitted, and a slope
  outside the band gives UNKNOWN (not REFUTED); a recorded value that does not match its recomputation is
  REFUTED.
"""

from __future__ import annotations

import time
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from nncert.core import Certificate, Status, Verdict, fmt, parse_exact
from nncert.errors import InvalidCertificate
from nncert.proofs import Claim
from nncert.proofs.claims._rbm_common import (
    bits, close, ex, ex_array, fl, holds, need, read_exact, read_floats, refuted, unknown,
)
from nncert.verify.rbm_reference import inclusion_exact, mask_in_support, parse_bits, parse_float, solve_one

ID = "P2.trajectory_rate"
STATEMENT = "mean-square trajectory error is O(h) (sup_t E and E sup_t readings)"
N_RECHECK = 2
DEFAULT_SCHEMES = ("uniform:8", "bernoulli:1/3", "partition:3")


def run(
    *, p: int = 24, n_points: int = 32, schemes: Sequence[str] = DEFAULT_SCHEMES, hs: Sequence[Fraction] | None = None,
    n_schedules: int = 64, sub: int = 8, method: str = "rk4", act: str = "tanh", seed: int = 0,
    const_schedules: int = 400, executor: Any = None, progress: Any = None,
) -> dict[str, Any]:
    """Run both experiments (untrusted); returns everything :func:`certify_from` and the CLI need."""
    from nncert.constructions.rbm_experiments import constant_field_check, parse_scheme, rates, two_circles
    from nncert.constructions.rbm_fields import random_classification_field

    hs = list(hs) if hs is not None else [Fraction(1, 2**k) for k in range(1, 7)]
    fld = random_classification_field(p, 2, seed=seed, act=act)
    X, _, _ = two_circles(n_points, seed=seed)
    sch = {s: parse_scheme(s, p) for s in schemes}
    t0 = time.perf_counter()
    res = rates(fld, X, sch, hs, sub=sub, method=method, n_schedules=n_schedules, seed=seed, executor=executor,
                progress=progress)
    t1 = time.perf_counter()
    rng = np.random.default_rng(np.random.SeedSequence([seed, 4242]))
    v = [[Fraction(int(a), 8) for a in rng.integers(-8, 9, size=2)] for _ in range(p)]
    const = constant_field_check(v, sch, hs[:-1] if len(hs) > 2 else hs, n_schedules=const_schedules, seed=seed,
                                 executor=executor)
    t2 = time.perf_counter()
    masks = {}
    from nncert.constructions.rbm_experiments import schedule_rng

    for s_id, (name, scheme) in enumerate(sch.items()):
        for h_id, h in enumerate(res.hs):
            masks[(name, h_id)] = [scheme.sample_many(schedule_rng(seed, s_id, h_id, k), int(1 / h))
                                   for k in range(N_RECHECK)]
    return {"field": fld, "X": X, "schemes": sch, "res": res, "const": const, "v": v, "masks": masks,
            "timings": {"rates": f"{t1 - t0:.3f}", "constant_check": f"{t2 - t1:.3f}"}, "act": act}


def certify_from(run_out: dict[str, Any], *, slope_band: tuple[Fraction, Fraction] = (Fraction(4, 5), Fraction(6, 5)),
                 z_max: Fraction = Fraction(3)) -> Certificate:
    """Certificate from the output of :func:`run`."""
    res, fld, sch = run_out["res"], run_out["field"], run_out["schemes"]
    A, b, W = fld.control.at(0.0)
    per_scheme = {}
    for name in res.schemes:
        per_h = []
        for j, h in enumerate(res.hs):
            per_h.append({
                "h": fmt(h),
                "sup_E": fl(res.sup_E[name][j]), "E_sup": fl(res.E_sup[name][j]),
                "sup_E_ci": [fl(x) for x in res.sup_E_ci[name][j]], "E_sup_ci": [fl(x) for x in res.E_sup_ci[name][j]],
                "mean_curve": [[fl(x) for x in row] for row in res.mean_curve[name][j]],
                "esup_per_schedule": [fl(x) for x in res.esup_per_schedule[name][j]],
                "first_masks": [[bits(m) for m in mk] for mk in run_out["masks"][(name, j)]],
            })
        per_scheme[name] = {
            "spec": sch[name].spec(),
            "expected_size": fmt(sch[name].expected_size()),
            "per_h": per_h,
            "slopes": {rd: {"slope": fl(res.slope[rd][name][0]), "ci": [fl(res.slope[rd][name][1]), fl(res.slope[rd][name][2])]}
                       for rd in ("sup_E", "E_sup")},
        }
    const_rows = [{
        "scheme": r["scheme"], "spec": sch[r["scheme"]].spec(), "h": fmt(r["h"]), "var_exact": fmt(r["var_exact"]), "predicted": fmt(r["predicted"]),
        "mean": fl(r["mean"]), "se": fl(r["se"]), "n": str(r["n"]),
        "first_masks": [[bits(m) for m in mk] for mk in r["first_masks"]],
        "first_errors": [fl(x) for x in r["first_errors"]],
    } for r in run_out["const"]]
    params = {
        "T": fmt(res.params["T"]), "sub": str(res.params["sub"]), "method": res.params["method"],
        "record_every": fmt(res.params["record_every"]), "n_schedules": str(res.params["n_schedules"]),
        "slope_band": [fmt(slope_band[0]), fmt(slope_band[1])], "z_max": fmt(z_max),
        "schemes": list(res.schemes), "h_grid": [fmt(h) for h in res.hs],
    }
    witness = {
        "field": {"act": run_out["act"], "A": ex_array(A), "b": ex_array(b), "W": ex_array(W)},
        "x0": ex_array(run_out["X"]),
        "results": per_scheme,
        "constant_field": {"v": [[fmt(a) for a in row] for row in run_out["v"]], "rows": const_rows},
    }
    admitted = (
        f"statistical: log-log slopes of both readings in [{fmt(slope_band[0])}, {fmt(slope_band[1])}] measured over "
        f"{res.params['n_schedules']} schedules per h (95% percentile bootstrap CIs, B={res.params['n_boot']}, reported)",
        f"statistical: constant-field Monte-Carlo mean within {fmt(z_max)} standard errors of the exact T h Var",
        f"re-simulation of the first {N_RECHECK} schedules per (scheme, h) only; the others are taken as recorded",
    )
    checked_by = {"producer": "nncert.constructions.rbm_experiments.rates (ensemble RK4, compacted batches)",
                  "executor": res.params["executor"], "seed": str(res.params["seed"]),
                  "seeds": "schedule k of scheme s at h index j: default_rng(SeedSequence([seed, s, j, k]))"}
    return Certificate(ID, params, witness, admitted, checked_by, dict(run_out["timings"]))


def certify(**kwargs: Any) -> Certificate:
    """Run the experiments and certify (untrusted)."""
    return certify_from(run(**kwargs))


# ------------------------------------------------------------------------------------------------
# trusted check
# ------------------------------------------------------------------------------------------------
def _slope(h: np.ndarray, y: np.ndarray) -> float:
    x, z = np.log(h), np.log(y)
    xm, zm = x.mean(), z.mean()
    return float(np.sum((x - xm) * (z - zm)) / np.sum((x - xm) ** 2))


def check(cert: Certificate, **_: Any) -> Verdict:
    """Trusted re-check (see the module docstring)."""
    P = need(cert.params, {"T", "sub", "method", "record_every", "n_schedules", "slope_band", "z_max", "schemes", "h_grid"},
             "params")
    w = need(cert.witness, {"field", "x0", "results", "constant_field"}, "witness")
    T = parse_exact(P["T"], "params.T")
    rec = parse_exact(P["record_every"], "params.record_every")
    method = P["method"]
    if method not in ("euler", "rk4"):
        raise InvalidCertificate(f"params.method {str(method)[:20]!r} is not euler or rk4")
    sub = int(parse_exact(P["sub"], "params.sub"))
    n_sched = int(parse_exact(P["n_schedules"], "params.n_schedules"))
    if not isinstance(P["slope_band"], list) or len(P["slope_band"]) != 2:
        raise InvalidCertificate("params.slope_band must be [lo, hi]")
    lo, hi = (parse_exact(x, "params.slope_band") for x in P["slope_band"])
    z_max = parse_exact(P["z_max"], "params.z_max")
    if not isinstance(P["h_grid"], list) or len(P["h_grid"]) < 2 or not isinstance(P["schemes"], list):
        raise InvalidCertificate("params.h_grid must list >= 2 values and params.schemes the scheme names")
    hs = [parse_exact(h, "params.h_grid") for h in P["h_grid"]]
    if T <= 0 or sub < 1 or n_sched < 2 or any(h <= 0 or (T / h).denominator != 1 for h in hs):
        raise InvalidCertificate("params: T, sub, n_schedules or h_grid out of range (T/h must be an integer)")
    fw = need(w["field"], {"act", "A", "b", "W"}, "witness.field")
    if not isinstance(fw["A"], list) or not fw["A"] or not isinstance(fw["A"][0], list):
        raise InvalidCertificate("witness.field.A must be a matrix")
    p, d = len(fw["A"]), len(fw["A"][0])
    A = read_exact(fw["A"], (p, d), "field.A")
    b = read_exact(fw["b"], (p,), "field.b")
    W = read_exact(fw["W"], (d, p), "field.W")
    if not isinstance(w["x0"], list) or not w["x0"]:
        raise InvalidCertificate("witness.x0 must be a non-empty list")
    x0 = read_exact(w["x0"], (len(w["x0"]), d), "x0")
    n = x0.shape[0]
    results = w["results"]
    if not isinstance(results, dict) or sorted(results) != sorted(P["schemes"]):
        raise InvalidCertificate("witness.results must have one entry per listed scheme")
    parts: list[Verdict] = []
    R = int(T / rec) + 1
    harr = np.array([float(h) for h in hs])
    for name in P["schemes"]:
        r = need(results[name], {"spec", "expected_size", "per_h", "slopes"}, f"results.{name}")
        pi, pair = inclusion_exact(r["spec"])
        if len(pi) != p:
            raise InvalidCertificate(f"results.{name}: scheme has p={len(pi)} but the field has p={p}")
        if parse_exact(r["expected_size"], "expected_size") != sum(pi):
            parts.append(refuted(f"{name}: E|B|", f"stated {r['expected_size']} but sum pi_i = {fmt(sum(pi))}"))
        if not isinstance(r["per_h"], list) or len(r["per_h"]) != len(hs):
            raise InvalidCertificate(f"results.{name}.per_h must have one entry per h")
        supE, Esup, bad = [], [], []
        pif = [float(x) for x in pi]
        for j, (h, row) in enumerate(zip(hs, r["per_h"])):
            row = need(row, {"h", "sup_E", "E_sup", "sup_E_ci", "E_sup_ci", "mean_curve", "esup_per_schedule",
                             "first_masks"}, f"{name}.per_h[{j}]")
            if parse_exact(row["h"], "h") != h:
                raise InvalidCertificate(f"{name}.per_h[{j}].h does not match params.h_grid")
            curve = read_floats(row["mean_curve"], (R, n), f"{name}.mean_curve")
            per = read_floats(row["esup_per_schedule"], (n_sched,), f"{name}.esup_per_schedule")
            sE, eS = float(curve.max(axis=0).mean()), float(per.mean())
            if not close(parse_float(row["sup_E"], "sup_E"), sE) or not close(parse_float(row["E_sup"], "E_sup"), eS):
                bad.append(f"h={fmt(h)}: stated readings do not match the recorded data")
            supE.append(sE)
            Esup.append(eS)
            # independent re-simulation of the first schedules
            dt = h / sub
            ref = solve_one(A, b, W, fw["act"], x0, None, pif, T, h, dt, method, rec)
            fm = row["first_masks"]
            if not isinstance(fm, list) or len(fm) < 1 or len(fm) > n_sched:
                raise InvalidCertificate(f"{name}.first_masks must list recorded schedules")
            for k, mk in enumerate(fm):
                if not isinstance(mk, list) or len(mk) != int(T / h):
                    raise InvalidCertificate(f"{name}.first_masks[{k}] must have T/h masks")
                M = np.stack([parse_bits(x, p, f"{name}.first_masks") for x in mk])
                if not all(mask_in_support(r["spec"], m) for m in M):
                    bad.append(f"h={fmt(h)} schedule {k}: a mask is not in the scheme's support")
                    continue
                st = solve_one(A, b, W, fw["act"], x0, M, pif, T, h, dt, method, rec)
                e = np.sum((st - ref) ** 2, axis=-1).max(axis=0).mean()
                if not close(float(e), float(per[k]), 1e-8, 1e-13):
                    bad.append(f"h={fmt(h)} schedule {k}: re-simulated E sup {e:.12g} != recorded {per[k]:.12g}")
        if bad:
            parts.append(refuted(f"{name}: recorded data", "; ".join(bad[:3])))
            continue
        parts.append(holds(f"{name}: recorded data", f"{len(hs)} h values; first {len(r['per_h'][0]['first_masks'])} "
                           "schedules per h re-simulated and matching (rel 1e-8)"))
        for rd, vals in (("sup_E", supE), ("E_sup", Esup)):
            sl = _slope(harr, np.array(vals))
            stated = need(r["slopes"].get(rd) if isinstance(r["slopes"], dict) else None, {"slope", "ci"},
                          f"{name}.slopes.{rd}")
            ci = [parse_float(x, "ci") for x in stated["ci"]] if isinstance(stated["ci"], list) and len(stated["ci"]) == 2 \
                else None
            if ci is None:
                raise InvalidCertificate(f"{name}.slopes.{rd}.ci must be [lo, hi]")
            if not close(parse_float(stated["slope"], "slope"), sl, 1e-9, 1e-12):
                parts.append(refuted(f"{name}: {rd} slope", f"stated {stated['slope']} but the data give {sl:.6f}",
                                     slope=fl(sl)))
                continue
            adm = (f"statistical: bootstrap slope CI ({name}, {rd})",)
            ev = f"{rd} slope {sl:.3f} (95% bootstrap CI [{ci[0]:.3f}, {ci[1]:.3f}]) in [{fmt(lo)}, {fmt(hi)}]"
            if float(lo) <= sl <= float(hi):
                parts.append(holds(f"{name}: {rd} slope", ev + "; statistical, 95% confidence", adm))
            else:
                parts.append(unknown(f"{name}: {rd} slope", f"measured slope {sl:.3f} outside [{fmt(lo)}, {fmt(hi)}] "
                                     f"(95% CI [{ci[0]:.3f}, {ci[1]:.3f}])", admitted=adm))
    parts.extend(_check_constant(w["constant_field"], T, z_max, p))
    return Verdict.combine(ID, parts, cert.admitted)


def _check_constant(cw: Any, T: Fraction, z_max: Fraction, p: int) -> list[Verdict]:
    cw = need(cw, {"v", "rows"}, "constant_field")
    if not isinstance(cw["v"], list) or len(cw["v"]) != p or not all(isinstance(r, list) for r in cw["v"]):
        raise InvalidCertificate(f"constant_field.v must list p={p} vectors")
    v = [[parse_exact(a, "constant_field.v") for a in row] for row in cw["v"]]
    if not isinstance(cw["rows"], list) or not cw["rows"]:
        raise InvalidCertificate("constant_field.rows must be a non-empty list")
    out: list[Verdict] = []
    gram = [[sum((a * c for a, c in zip(v[i], v[j])), Fraction(0)) for j in range(p)] for i in range(p)]
    cache: dict[str, Fraction] = {}
    for k, row in enumerate(cw["rows"]):
        row = need(row, {"scheme", "spec", "h", "var_exact", "predicted", "mean", "se", "n", "first_masks",
                         "first_errors"}, f"constant_field.rows[{k}]")
        name = f"constant field {str(row['scheme'])[:40]} h={str(row['h'])[:20]}"
        pi, pair = inclusion_exact(row["spec"])
        if len(pi) != p:
            raise InvalidCertificate(f"{name}: scheme p != {p}")
        h = parse_exact(row["h"], "h")
        if h <= 0 or (T / h).denominator != 1:
            raise InvalidCertificate(f"{name}: T/h is not an integer")
        key = str(row["spec"])
        if key not in cache:
            cache[key] = sum(((pair(i, j) / (pi[i] * pi[j]) - 1) * gram[i][j] for i in range(p) for j in range(p)
                              if gram[i][j]), Fraction(0))
        var = cache[key]
        pred = T * h * var
        if parse_exact(row["var_exact"], "var_exact") != var or parse_exact(row["predicted"], "predicted") != pred:
            out.append(refuted(name, f"stated Var/prediction differ from the exact Var = {fmt(var)}", var=fmt(var)))
            continue
        fm, fe = row["first_masks"], row["first_errors"]
        if not isinstance(fm, list) or not isinstance(fe, list) or len(fm) != len(fe):
            raise InvalidCertificate(f"{name}: first_masks and first_errors must be lists of equal length")
        bad = ""
        for s, (mk, err) in enumerate(zip(fm, fe)):
            if not isinstance(mk, list) or len(mk) != int(T / h):
                raise InvalidCertificate(f"{name}: first_masks[{s}] must have T/h masks")
            dev = [Fraction(0)] * len(v[0])
            for x in mk:
                m = parse_bits(x, p, name)
                if not mask_in_support(row["spec"], m):
                    bad = f"schedule {s}: a mask is not in the scheme's support"
                for i in range(p):
                    c = (Fraction(1) / pi[i] if m[i] else Fraction(0)) - 1
                    if c:
                        for a in range(len(dev)):
                            dev[a] += h * c * v[i][a]
            exact_err = sum((x * x for x in dev), Fraction(0))
            if not close(parse_float(err, "first_errors"), float(exact_err), 1e-9, 1e-12):
                bad = f"schedule {s}: recorded error {err} but exactly {float(exact_err):.12g}"
        if bad:
            out.append(refuted(name, bad))
            continue
        mean, se = parse_float(row["mean"], "mean"), parse_float(row["se"], "se")
        n = int(parse_exact(row["n"], "n"))
        z = (mean - float(pred)) / se if se > 0 else float("inf")
        adm = ("statistical: z-test of the Monte-Carlo mean against the exact T h Var",)
        ev = (f"mean {mean:.6g} vs T h Var = {fmt(pred)} ({float(pred):.6g}), z = {z:+.2f} over {n} schedules "
              f"(|z| <= {fmt(z_max)}: two-sided ~99.7% normal confidence; first {len(fm)} errors exact)")
        out.append(holds(name, ev, adm) if abs(z) <= float(z_max)
                   else unknown(name, f"|z| = {abs(z):.2f} > {fmt(z_max)}", ev, adm))
    return out


def _quick() -> Certificate:
    return certify(n_points=8, hs=[Fraction(1, 2**k) for k in range(1, 6)], n_schedules=24, sub=4, const_schedules=150)


CLAIM = Claim(
    id=ID,
    statement=STATEMENT,
    paper_part="Paper 2, trajectory convergence (linear rate in h for the expected uniform error)",
    certify=certify,
    check=check,
    depends_on=("P2.unbiasedness",),
    quick=_quick,
)
