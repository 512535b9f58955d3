"""Claim (paper 2, training with a fixed batch schedule): the discrete-adjoint gradient is exact, and the cost,
control and iterate deviations between random-batch and full training vanish as h -> 0
(``random_batch.md`` section 6.7).

Parts checked by the trusted checker (own objective implementation
:func:`nncert.verify.rbm_reference.objective_ref`, nothing from the producer):

* *adjoint gradient*: central finite differences (``eps = 1e-6``) of the checker's own objective in every
  coordinate, at the recorded control and schedule, against the recorded adjoint gradient: relative error
  ``<= 1e-6`` (float64 finite differences: numeric evidence, admitted as such);
* *recorded objectives*: ``J(u0)`` (full) and the first schedule's ``J^h(u0)`` at every ``h`` recomputed;
* *deviation slopes*: the log-log slopes of strong ``E (J^h - J)^2``, iterate deviation and control gap
  are refitted from the recorded values and must be ``> 0`` (deviations shrink with ``h``); measured over
  finitely many schedules, hence statistical (admitted). The weak bias, cost gap and the
  fresh-schedule-per-step protocol are reported, not tested.
"""

from __future__ import annotations

import time
from fractions import Fraction
from typing import Any

import numpy as np

from nncert.core import Certificate, Verdict, fmt, parse_exact
from nncert.errors import InvalidCertificate
from nncert.proofs import Claim
from nncert.proofs.claims._rbm_common import close, ex_array, fl, holds, need, read_exact, read_floats, refuted, unknown
from nncert.verify.rbm_reference import inclusion_exact, mask_in_support, objective_ref, parse_bits, parse_float

ID = "P2.training_deviation"
STATEMENT = ("with a fixed batch schedule, the adjoint gradient is exact and cost/control/iterate deviations vanish as "
             "h -> 0")
TESTED = ("strong", "iterate_dev", "control_gap")
REPORTED = ("weak", "cost_gap", "fresh_control_gap")


def certify_from(r: dict[str, Any], seconds: float = 0.0) -> Certificate:
    """Certificate from :func:`nncert.constructions.rbm_training.training_deviation` output."""
    from nncert.core import fmt as _fmt

    prob, u0, sch = r["problem"], r["u0"], r["scheme"]
    bits = lambda m: "".join("1" if v else "0" for v in m)  # noqa: E731
    params = {"T": _fmt(prob.T), "dt": _fmt(prob.dt), "L": str(prob.L), "beta": ex_array(prob.beta),
              "alpha": ex_array(prob.alpha), "act": prob.act, "iters": str(r["iters"]), "lr": ex_array(r["lr"]),
              "n_schedules": str(r["n_schedules"]), "fd_eps": "1/1000000", "fd_tolerance": "1/1000000",
              "h_grid": [_fmt(x["h"]) for x in r["rows"]]}
    rows = []
    for x in r["rows"]:
        row = {k: fl(x[k]) for k in ("J", "strong", "weak", "weak_se", "iterate_dev", "control_gap", "cost_gap", "J_first")}
        row["fresh_control_gap"] = fl(x["fresh_control_gap"]) if "fresh_control_gap" in x else None
        row["h"] = _fmt(x["h"])
        row["masks_first"] = [bits(m) for m in x["masks_first"]]
        rows.append(row)
    witness = {
        "X": ex_array(prob.X), "Y": ex_array(prob.Y), "scheme": sch.spec(),
        "u0": {"A": ex_array(u0.A), "b": ex_array(u0.b), "W": ex_array(u0.W)},
        "fd": {"h": _fmt(r["fd_h"]), "masks": [bits(m) for m in r["fd_masks"]],
               "grad_adjoint": [fl(v) for v in r["grad_adjoint"]], "rel_err": fl(r["fd"]["rel_err"])},
        "rows": rows,
        "slopes": {k: fl(v) for k, v in r["slopes"].items()},
    }
    admitted = ("numeric: finite differences in float64 (central, eps = 1e-6) against the adjoint gradient",
                f"statistical: deviation slopes measured over {r['n_schedules']} fixed schedules per h")
    checked_by = {"producer": "nncert.constructions.rbm_training (ensemble Euler, discrete adjoint)",
                  "producer_fd": {k: str(v) for k, v in r["fd"].items()}, "seed": str(r["seed"])}
    return Certificate(ID, params, witness, admitted, checked_by, {"run": f"{seconds:.3f}"})


def certify(**kwargs: Any) -> Certificate:
    """Run the experiment and certify (untrusted)."""
    from nncert.constructions.rbm_training import training_deviation

    t0 = time.perf_counter()
    r = training_deviation(**kwargs)
    return certify_from(r, time.perf_counter() - t0)


def check(cert: Certificate, **_: Any) -> Verdict:
    """Trusted re-check (see the module docstring)."""
    P = need(cert.params, {"T", "dt", "L", "beta", "alpha", "act", "iters", "lr", "n_schedules", "fd_eps",
                           "fd_tolerance", "h_grid"}, "params")
    w = need(cert.witness, {"X", "Y", "scheme", "u0", "fd", "rows", "slopes"}, "witness")
    T, dt = parse_exact(P["T"], "T"), parse_exact(P["dt"], "dt")
    L = int(parse_exact(P["L"], "L"))
    beta, alpha = float(parse_exact(P["beta"], "beta")), float(parse_exact(P["alpha"], "alpha"))
    eps, tol = float(parse_exact(P["fd_eps"], "fd_eps")), parse_exact(P["fd_tolerance"], "fd_tolerance")
    act = P["act"]
    if not 0 < eps <= 1e-2 or not 0 < tol < 1:
        raise InvalidCertificate("params.fd_eps must be in (0, 1/100] and fd_tolerance in (0, 1)")
    if T <= 0 or dt <= 0 or (T / dt).denominator != 1 or L < 1 or int(T / dt) % L or T / dt > 4096:
        raise InvalidCertificate("params: T/dt must be an integer <= 4096 divisible by L")
    n_steps = int(T / dt)
    if not isinstance(w["X"], list) or not w["X"] or not isinstance(w["X"][0], list):
        raise InvalidCertificate("witness.X must be a matrix")
    N, d = len(w["X"]), len(w["X"][0])
    X, Y = read_exact(w["X"], (N, d), "X"), read_exact(w["Y"], (N, d), "Y")
    pi, _ = inclusion_exact(w["scheme"])
    p = len(pi)
    u = need(w["u0"], {"A", "b", "W"}, "u0")
    A, b, W = read_exact(u["A"], (L, p, d), "u0.A"), read_exact(u["b"], (L, p), "u0.b"), read_exact(u["W"], (L, d, p), "u0.W")
    pif = np.array([float(v) for v in pi])

    def weights(masks_txt: Any, h: Fraction) -> np.ndarray:
        if h <= 0 or (T / h).denominator != 1 or (h / dt).denominator != 1:
            raise InvalidCertificate(f"h={fmt(h)} is not aligned with T and dt")
        if not isinstance(masks_txt, list) or len(masks_txt) != int(T / h):
            raise InvalidCertificate("a schedule must list T/h masks")
        M = np.stack([parse_bits(m, p, "masks") for m in masks_txt])
        if not all(mask_in_support(w["scheme"], m) for m in M):
            raise InvalidCertificate("a mask is not in the scheme's support")
        return np.repeat(M / pif, int(h / dt), axis=0)

    parts: list[Verdict] = []
    # adjoint vs finite differences of our own objective
    fd = need(w["fd"], {"h", "masks", "grad_adjoint", "rel_err"}, "fd")
    c = weights(fd["masks"], parse_exact(fd["h"], "fd.h"))
    sizes = (A.size, b.size, W.size)
    g_adj = read_floats(fd["grad_adjoint"], (sum(sizes),), "fd.grad_adjoint")
    vec = np.concatenate([A.ravel(), b.ravel(), W.ravel()])

    def J(v: np.ndarray, cc: np.ndarray) -> float:
        a_, b_ = sizes[0], sizes[0] + sizes[1]
        return objective_ref(X, Y, v[:a_].reshape(A.shape), v[a_:b_].reshape(b.shape), v[b_:].reshape(W.shape), act, cc,
                             float(dt), beta, alpha)

    g_fd = np.empty_like(vec)
    for k in range(vec.size):
        e = np.zeros_like(vec)
        e[k] = eps
        g_fd[k] = (J(vec + e, c) - J(vec - e, c)) / (2 * eps)
    rel = float(np.linalg.norm(g_adj - g_fd) / np.linalg.norm(g_fd))
    adm = ("numeric: finite differences in float64 (central, eps = 1e-6) against the adjoint gradient",)
    parts.append(holds("adjoint gradient vs finite differences",
                       f"relative error {rel:.2e} <= {float(tol):.0e} over all {vec.size} coordinates (checker's own "
                       "objective, float64)", adm) if rel <= float(tol)
                 else refuted("adjoint gradient vs finite differences", f"relative error {rel:.3e} > {float(tol):.0e}",
                              rel_err=fl(rel)))
    # recorded objectives
    if not isinstance(P["h_grid"], list) or not isinstance(w["rows"], list) or len(w["rows"]) != len(P["h_grid"]) \
            or len(w["rows"]) < 2:
        raise InvalidCertificate("witness.rows must have one row per h (>= 2)")
    hs = [parse_exact(h, "h_grid") for h in P["h_grid"]]
    J_full = J(vec, np.ones((n_steps, p)))
    bad, vals = [], {k: [] for k in TESTED + REPORTED}
    for h, row in zip(hs, w["rows"]):
        row = need(row, {"h", "J", "strong", "weak", "weak_se", "iterate_dev", "control_gap", "cost_gap", "J_first",
                         "fresh_control_gap", "masks_first"}, "rows[]")
        if parse_exact(row["h"], "h") != h:
            raise InvalidCertificate("rows h values do not match params.h_grid")
        if not close(parse_float(row["J"], "J"), J_full, 1e-9):
            bad.append(f"J(u0) stated {row['J']} but {J_full:.12g}")
        Jh = J(vec, weights(row["masks_first"], h))
        if not close(parse_float(row["J_first"], "J_first"), Jh, 1e-9):
            bad.append(f"h={fmt(h)}: J^h(u0) of the first schedule stated {row['J_first']} but {Jh:.12g}")
        for k in vals:
            vals[k].append(parse_float(row[k], k) if row[k] is not None else None)
    parts.append(refuted("recorded objectives", "; ".join(bad[:3])) if bad else
                 holds("recorded objectives", f"J(u0) and the first schedule's J^h(u0) at {len(hs)} h values recomputed"))
    slopes = w["slopes"] if isinstance(w["slopes"], dict) else {}
    x = np.log([float(h) for h in hs])
    for k in TESTED + REPORTED:
        if any(v is None for v in vals[k]):
            continue
        y = np.log(np.maximum(vals[k], 1e-300))
        sl = float(np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2))
        if k not in slopes or not close(parse_float(slopes[k], f"slopes.{k}"), sl, 1e-7, 1e-10):
            parts.append(refuted(f"slope {k}", f"stated {slopes.get(k)} but the recorded values give {sl:.6f}"))
        elif k in REPORTED:
            parts.append(holds(f"slope {k} (reported)", f"{sl:.3f} (informational, not tested)"))
        elif sl > 0:
            parts.append(holds(f"slope {k}", f"{sl:.3f} > 0: shrinks with h (statistical, {P['n_schedules']} schedules)",
                               (f"statistical: {k} slope",)))
        else:
            parts.append(unknown(f"slope {k}", f"measured slope {sl:.3f} <= 0 (statistical estimate)",
                                 admitted=(f"statistical: {k} slope",)))
    return Verdict.combine(ID, parts, cert.admitted)


def _quick() -> Certificate:
    return certify(p=8, n_points=8, scheme="uniform:4", n_schedules=6, iters=10,
                   hs=[Fraction(1, 2**k) for k in range(1, 5)], dt=Fraction(1, 16), L=2)


CLAIM = Claim(
    id=ID,
    statement=STATEMENT,
    paper_part="Paper 2, training with fixed batch sampling (Pontryagin adjoint, deviation bounds)",
    certify=certify,
    check=check,
    depends_on=("P2.trajectory_rate",),
    quick=_quick,
)
