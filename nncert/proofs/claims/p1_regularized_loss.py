"""Claim (paper 1, regularized training): for J_lambda(theta) = (1/N) sum (f_theta(x_i) - y_i)^2 +
lambda ||theta||^2 over width-2 networks of theta*'s depth, an exact interpolating theta* gives
``min J_lambda <= J_lambda(theta*) = lambda ||theta*||^2``; hence every minimizer has
``||theta_lambda||^2 <= ||theta*||^2`` and training loss ``<= lambda ||theta*||^2``, and for
``lambda < 1/(4 N ||theta*||^2)`` every theta with ``J_lambda(theta) <= lambda ||theta*||^2`` rounds to the
right class at every point.

The certificate states these bounds as exact rationals for each lambda, for both penalty conventions
(``||theta||^2`` over all parameters, or over weights only: paper 1 does not say which). ``check``
(trusted: core, data, :mod:`nncert.verify.exact`) recomputes the exact training loss of theta* (it
must be 0), ``||theta*||^2`` and each bound. The inequalities ``min J <= J(theta*)`` and their
consequences are one-line arguments (``docs/norm_bound.md``); what is checked exactly is every number
they rest on. Values with more than 3000 digits (deep networks, e.g. digits) are stated as their exact
ceiling, which is still a valid upper bound (``theta_sq_kind = "ceiling"``).
"""

from __future__ import annotations

import time
from fractions import Fraction
from typing import Any, Sequence

from nncert.core import Certificate, Network, Status, Verdict, fmt, parse_exact
from nncert.data import Dataset
from nncert.errors import InvalidArgument, InvalidCertificate
from nncert.proofs import Claim
from nncert.verify.exact import evaluate_many

ID = "P1.memorization.regularized_loss"
STATEMENT = ("min J_lambda <= lambda ||theta*||^2; minimizers have ||theta_lambda||^2 <= ||theta*||^2 and training "
             "loss <= lambda ||theta*||^2")
DEFAULT_LAMBDAS = tuple(Fraction(1, 10**k) for k in range(1, 7))
PARAM_KEYS = ("N", "M", "d", "width", "depth", "theta_sq", "theta_sq_weights", "theta_sq_kind", "training_loss",
              "rounding_lambda", "rounding_lambda_weights", "lambdas")
_MAX_DIGITS = 3000


def _stated(v: Fraction) -> tuple[Fraction, str]:
    """(v, "exact") if v has at most 3000 digits, else (ceil(v), "ceiling")."""
    if max(v.numerator.bit_length(), v.denominator.bit_length()) * 0.30103 <= _MAX_DIGITS:
        return v, "exact"
    return Fraction(-((-v.numerator) // v.denominator)), "ceiling"


def _numbers(net: Network, data: Dataset, lambdas: Sequence[Fraction]) -> dict[str, Any]:
    """Every stated number, from the network and data (shared by certify and check)."""
    outs = evaluate_many(net, data.points)
    loss = sum(((o[0] - y) ** 2 for o, y in zip(outs, data.labels)), Fraction(0)) / data.n
    total = sum((v * v for v in net.parameters()), Fraction(0))
    wsq = sum((v * v for w in net.weights for row in w for v in row), Fraction(0))
    t, kind = _stated(total)
    tw, kind_w = _stated(wsq)
    kind = "exact" if kind == kind_w == "exact" else "ceiling"
    if kind == "ceiling":
        t, tw = Fraction(-((-total.numerator) // total.denominator)), Fraction(-((-wsq.numerator) // wsq.denominator))
    return {
        "N": str(data.n), "M": str(data.m), "d": str(data.d), "width": str(net.width), "depth": str(net.depth),
        "theta_sq": fmt(t), "theta_sq_weights": fmt(tw), "theta_sq_kind": kind, "training_loss": fmt(loss),
        "rounding_lambda": fmt(Fraction(1, 4 * data.n) / t) if t else "0",
        "rounding_lambda_weights": fmt(Fraction(1, 4 * data.n) / tw) if tw else "0",
        "lambdas": [{"lambda": fmt(lam), "J_bound": fmt(lam * t), "J_bound_weights": fmt(lam * tw)} for lam in lambdas],
    }


def certify(data: Dataset, *, lambdas: Sequence[Fraction] = DEFAULT_LAMBDAS, seed: int = 0,
            budget_s: float = 60.0) -> Certificate:
    """theta* = small-norm rescaled peel network (untrusted construction); state every bound exactly."""
    from nncert.constructions.memorize_bounds import min_norm_peel

    lams = [Fraction(v) for v in lambdas]
    if not lams or any(v <= 0 for v in lams):
        raise InvalidArgument(f"lambdas must be positive exact rationals, got {[fmt(v) for v in lams]}")
    t0 = time.perf_counter()
    res, net = min_norm_peel(data, seed=seed, budget_s=budget_s)
    params = _numbers(net, data, lams)
    witness = {"data": data.canonical_json(), "data_sha256": data.sha256(), "network": net.to_json()}
    checked_by = {"construction": {"method": "peel + power-of-two rescaling (min_norm_peel)",
                                   "direction": [str(v) for v in res.direction], "seed": str(seed)},
                  "theta_sq_float": f"{float(Fraction(params['theta_sq'])):.6g}" if params["theta_sq_kind"] == "exact"
                  else params["theta_sq"]}
    return Certificate(ID, params, witness, (), checked_by, {"certify": f"{time.perf_counter() - t0:.3f}"})


def check(cert: Certificate, **_: Any) -> Verdict:
    """Trusted re-check: recompute loss(theta*) = 0, ||theta*||^2 and every bound exactly."""
    w, p = cert.witness, cert.params
    if set(w) != {"data", "data_sha256", "network"}:
        raise InvalidCertificate(f"{ID}: witness must have exactly data, data_sha256, network")
    if set(p) != set(PARAM_KEYS) or not isinstance(p["lambdas"], list) or not p["lambdas"]:
        raise InvalidCertificate(f"{ID}: params must be exactly {list(PARAM_KEYS)} with at least one lambda")
    lams = []
    for k, entry in enumerate(p["lambdas"]):
        if not isinstance(entry, dict) or set(entry) != {"lambda", "J_bound", "J_bound_weights"}:
            raise InvalidCertificate(f"{ID}: lambdas[{k}] needs lambda, J_bound, J_bound_weights")
        lam = parse_exact(entry["lambda"], f"lambdas[{k}].lambda")
        if lam <= 0:
            raise InvalidCertificate(f"{ID}: lambdas[{k}] = {entry['lambda']} is not positive")
        lams.append(lam)
    ds = Dataset.from_canonical_json(w["data"], "witness.data")
    net = Network.from_json(w["network"], "witness.network")
    parts = [Verdict(Status.HOLDS, "data", evidence="matches its sha256") if ds.sha256() == w["data_sha256"] else
             Verdict(Status.REFUTED, "data", reason="data does not match the recorded sha256",
                     counterexample={"data_sha256": str(w["data_sha256"])[:64]})]
    if net.input_dim != ds.d or net.output_dim != 1 or not net.widths or any(x != 2 for x in net.widths):
        parts.append(Verdict(Status.REFUTED, "architecture", reason=f"need width 2, {ds.d} inputs, 1 output",
                             counterexample={"widths": str(list(net.widths))[:200]}))
        return Verdict.combine(ID, parts, cert.admitted)
    actual = _numbers(net, ds, lams)
    parts.append(Verdict(Status.HOLDS, "theta* interpolates", evidence="training loss of theta* is exactly 0")
                 if actual["training_loss"] == "0" else
                 Verdict(Status.REFUTED, "theta* interpolates", reason=f"training loss {actual['training_loss'][:40]}",
                         counterexample={"training_loss": actual["training_loss"][:200]}))
    wrong = [k for k in PARAM_KEYS if p[k] != actual[k]]
    parts.append(Verdict(Status.HOLDS, "stated bounds",
                         evidence=f"||theta*||^2 = {float(Fraction(actual['theta_sq'])):.6g} ({actual['theta_sq_kind']}); "
                         f"lambda ||theta*||^2 recomputed for {len(lams)} lambdas; rounding below lambda = "
                         f"{float(Fraction(actual['rounding_lambda'])):.3g}")
                 if not wrong else
                 Verdict(Status.REFUTED, "stated bounds", reason=", ".join(f"{k} differs from the recomputed value" for k in wrong),
                         counterexample={k: str(actual[k])[:200] for k in wrong}))
    return Verdict.combine(ID, parts, cert.admitted)


def _quick() -> Certificate:
    from nncert.data import load_bundled

    return certify(load_bundled("iris"))


def _full() -> Certificate:
    from nncert.data import load_bundled

    return certify(load_bundled("digits"), budget_s=30.0)


CLAIM = Claim(
    id=ID,
    statement=STATEMENT,
    paper_part="Paper 1, upper estimates for minimizers of regularized training losses",
    certify=certify,
    check=check,
    depends_on=("P1.memorization.norm_bound",),
    quick=_quick,
    full=_full,
)
