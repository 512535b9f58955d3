"""Optimal switching step h* from the cost-accuracy model (``random_batch.md`` section 6, item 6).

Error models (``a = c * gamma``, ``dt = gamma * h``):

* RMS: ``err(h) = sqrt(S h) + a h``; ``h* = 4 eps^2 / (S (1 + sqrt(1 + 4 a eps / S))^2)``;
* mean square: ``err(h)^2 = S h + (a h)^2``; ``h*_ms = 2 eps^2 / (S + sqrt(S^2 + 4 a^2 eps^2))``.

Both errors are strictly increasing in ``h`` and the cost ``(T/dt) E|B|`` decreases in ``h``, so the
cheapest ``h`` with ``err(h) <= eps`` is the root ``err(h*) = eps``. The claim ``P2.optimal_h`` uses
the RMS model unless said otherwise.

Three kinds of evidence:

* exact (Fractions): :func:`rms_error_vs_eps` decides ``err(h) <, =, > eps`` for rational ``h`` by
  squaring (``sqrt(S h) < eps - a h`` iff ``eps - a h > 0`` and ``S h < (eps - a h)^2``);
  :func:`exact_h_star` returns ``h*`` when it is rational; :func:`bracket` a rational enclosure;
* sympy (:func:`sympy_derivation`): the root of the quadratic in ``u = sqrt(h)``, its equality with the
  closed form, the limits ``S -> 0`` (``eps/(c gamma)``) and ``c -> 0`` (``eps^2/S``), the monotonicity
  in ``eps, S, c, gamma``, for both models;
* z3 (:func:`z3_proof`, nonlinear real arithmetic): for all positive ``S, c, gamma, eps``,
  ``err(h*) = eps`` and ``err(h) < eps`` for ``0 < h < h*`` (and ``> eps`` for ``h > h*``).

Examples
--------
>>> exact_h_star(Fraction(1, 20), Fraction(1, 50), Fraction(1, 2), Fraction(1, 4))
Fraction(2, 25)
>>> rms_error_vs_eps(Fraction(2, 25), Fraction(1, 20), Fraction(1, 50), Fraction(1, 8))
0
"""

from __future__ import annotations

import math
import time
from fractions import Fraction
from typing import Any

from nncert.core import Status, Verdict, fmt
from nncert.errors import InvalidArgument

__all__ = [
    "rational_sqrt",
    "rms_error_vs_eps",
    "ms_error_vs_eps",
    "exact_h_star",
    "bracket",
    "h_star_float",
    "sympy_derivation",
    "z3_proof",
    "describe_instance",
]


def rational_sqrt(x: Fraction) -> Fraction | None:
    """The exact square root of a non-negative rational if it is rational, else None.

    >>> rational_sqrt(Fraction(9, 4)), rational_sqrt(Fraction(2))
    (Fraction(3, 2), None)
    """
    if x < 0:
        return None
    n, d = x.numerator, x.denominator
    rn, rd = math.isqrt(n), math.isqrt(d)
    return Fraction(rn, rd) if rn * rn == n and rd * rd == d else None


def _positive(**kw: Fraction) -> None:
    for k, v in kw.items():
        if not isinstance(v, Fraction) or v <= 0:
            raise InvalidArgument(f"{k} must be a positive exact rational but got {k}={v!r}")


def rms_error_vs_eps(h: Fraction, eps: Fraction, S: Fraction, a: Fraction) -> int:
    """Sign of ``sqrt(S h) + a h - eps`` (-1, 0, 1), exactly, for ``h >= 0``."""
    rest = eps - a * h
    if rest < 0:
        return 1
    lhs, rhs = S * h, rest * rest
    return (lhs > rhs) - (lhs < rhs)


def ms_error_vs_eps(h: Fraction, eps: Fraction, S: Fraction, a: Fraction) -> int:
    """Sign of ``S h + (a h)^2 - eps^2`` (-1, 0, 1), exactly."""
    v = S * h + (a * h) ** 2 - eps * eps
    return (v > 0) - (v < 0)


def exact_h_star(eps: Fraction, S: Fraction, c: Fraction, gamma: Fraction) -> Fraction | None:
    """RMS ``h*`` from the closed form when ``sqrt(1 + 4 c gamma eps / S)`` is rational, else None."""
    _positive(eps=eps, S=S, c=c, gamma=gamma)
    w = rational_sqrt(1 + 4 * c * gamma * eps / S)
    if w is None:
        return None
    return 4 * eps * eps / (S * (1 + w) ** 2)


def bracket(eps: Fraction, S: Fraction, c: Fraction, gamma: Fraction, model: str = "rms",
            bits: int = 64) -> tuple[Fraction, Fraction]:
    """Rational ``lo < h* < hi`` (or ``lo = hi = h*`` if hit exactly) by exact bisection."""
    _positive(eps=eps, S=S, c=c, gamma=gamma)
    sign = {"rms": rms_error_vs_eps, "ms": ms_error_vs_eps}.get(model)
    if sign is None:
        raise InvalidArgument(f"model must be 'rms' or 'ms' but got model={model!r}")
    a = c * gamma
    lo, hi = Fraction(0), eps / a  # err(eps/a) > eps in both models
    for _ in range(bits):
        mid = (lo + hi) / 2
        s = sign(mid, eps, S, a)
        if s == 0:
            return mid, mid
        if s < 0:
            lo = mid
        else:
            hi = mid
    return lo, hi


def h_star_float(eps: float, S: float, c: float, gamma: float, model: str = "rms") -> float:
    """Closed-form ``h*`` in floating point (numeric path)."""
    a = c * gamma
    if model == "rms":
        return 4 * eps**2 / (S * (1 + math.sqrt(1 + 4 * a * eps / S)) ** 2)
    return 2 * eps**2 / (S + math.sqrt(S**2 + 4 * a**2 * eps**2))


def sympy_derivation() -> list[Verdict]:
    """sympy: derivation of both roots, equality with the closed forms, limits, monotonicity."""
    import sympy as sp

    S, c, g, e, h, u = sp.symbols("S c gamma epsilon h u", positive=True)
    a = c * g
    hs = 4 * e**2 / (S * (1 + sp.sqrt(1 + 4 * c * g * e / S)) ** 2)
    hm = 2 * e**2 / (S + sp.sqrt(S**2 + 4 * a**2 * e**2))
    out: list[Verdict] = []

    def add(name: str, ok: bool, what: str) -> None:
        out.append(Verdict(Status.HOLDS if ok else Status.REFUTED, f"optimal h: {name}", evidence=what,
                           reason="" if ok else "sympy could not establish it",
                           counterexample=None if ok else {"step": name}))

    # RMS: u = sqrt(h) solves a u^2 + sqrt(S) u - eps = 0; the positive root squared is the closed form
    roots = [r for r in sp.solve(sp.Eq(a * u**2 + sp.sqrt(S) * u, e), u)]
    add("rms root", len(roots) == 1 and sp.simplify(roots[0] ** 2 - hs) == 0,
        "u=sqrt(h): c gamma u^2 + sqrt(S) u = eps has one positive root; u^2 == 4eps^2/(S(1+sqrt(1+4c gamma eps/S))^2)")
    add("rms err(h*) = eps", sp.simplify(sp.sqrt(S * hs) + a * hs - e) == 0, "sqrt(S h*) + c gamma h* - eps == 0")
    add("ms err(h*)^2 = eps^2", sp.simplify(S * hm + (a * hm) ** 2 - e**2) == 0,
        "S h* + (c gamma h*)^2 - eps^2 == 0 with h* = 2eps^2/(S + sqrt(S^2 + 4c^2gamma^2eps^2))")
    for name, expr in (("rms", hs), ("ms", hm)):
        l1, l2 = sp.limit(expr, S, 0), sp.limit(expr, c, 0)
        add(f"{name} limits", sp.simplify(l1 - e / a) == 0 and sp.simplify(l2 - e**2 / S) == 0,
            f"S -> 0: {sp.sstr(l1)}; c -> 0: {sp.sstr(l2)}")
    # monotonicity by implicit differentiation: err(h*(x), x) = eps, d err/dh > 0
    for name, model, expr in (("rms", sp.sqrt(S * h) + a * h - e, hs), ("ms", S * h + (a * h) ** 2 - e**2, hm)):
        dh = sp.diff(model, h).subs(h, expr)
        pos = bool(sp.simplify(dh).is_positive)
        signs = []
        for var, want in ((e, 1), (S, -1), (c, -1), (g, -1)):
            dx = sp.diff(model, var).subs(h, expr)  # d err / d var at fixed h
            implicit = sp.simplify(sp.diff(expr, var) * dh + dx) == 0  # h*' = -err_x / err_h
            sgn = sp.simplify(dx)
            ok_sign = bool(sgn.is_negative) if want == 1 else bool(sgn.is_positive)
            signs.append(pos and implicit and ok_sign)
        add(f"{name} monotone", all(signs),
            "dh*/d(eps) > 0, dh*/dS < 0, dh*/dc < 0, dh*/dgamma < 0 (implicit function: h*' = -err_x/err_h, err_h > 0)")
    return out


def z3_proof(timeout_s: int = 30, numerator: int = 4) -> tuple[list[Verdict], dict[str, str]]:
    """z3 (QF_NRA): for all positive S, c, gamma, eps the RMS error at h* is eps, below eps for h < h*,
    above for h > h*; also the mean-square model. Returns verdicts and per-query seconds.

    ``h*`` is given implicitly: ``w > 0``, ``w^2 S = S + 4 c gamma eps``, ``h* S (1 + w)^2 = 4 eps^2``;
    ``sqrt(S h)`` is a variable ``v >= 0`` with ``v^2 = S h``. Each query asserts the negation; ``unsat``
    proves the statement (a solver answer: admitted, not re-derivable by the trusted checker).
    ``numerator`` (default 4) is the constant of the RMS closed form; tests pass a wrong one to see
    z3 refute it.
    """
    import z3

    S, c, g, e, w, hs, u, h, v, z = z3.Reals("S c gamma eps w hstar u h v z")
    base = [S > 0, c > 0, g > 0, e > 0, w > 0, w * w * S == S + 4 * c * g * e, hs * S * (1 + w) * (1 + w) == numerator * e * e]
    a = c * g
    ms_base = [S > 0, c > 0, g > 0, e > 0, z > 0, z * z == S * S + 4 * a * a * e * e, hs * (S + z) == 2 * e * e]
    queries = [
        ("rms: err(h*) = eps", base + [u >= 0, u * u == S * hs, u + a * hs != e]),
        ("rms: err(h) < eps for 0 < h < h*", base + [h > 0, h < hs, v >= 0, v * v == S * h, v + a * h >= e]),
        ("rms: err(h) > eps for h > h*", base + [h > hs, v >= 0, v * v == S * h, v + a * h <= e]),
        ("ms: err(h*)^2 = eps^2", ms_base + [S * hs + a * a * hs * hs != e * e]),
        ("ms: err(h)^2 < eps^2 for 0 < h < h*", ms_base + [h > 0, h < hs, S * h + a * a * h * h >= e * e]),
    ]
    out: list[Verdict] = []
    secs: dict[str, str] = {}
    for name, cons in queries:
        s = z3.SolverFor("QF_NRA")
        s.set("timeout", int(timeout_s * 1000))
        s.add(*cons)
        t0 = time.perf_counter()
        r = s.check()
        secs[name] = f"{time.perf_counter() - t0:.3f}"
        claim = f"z3 forall S,c,gamma,eps > 0: {name}"
        if r == z3.unsat:
            out.append(Verdict(Status.HOLDS, claim, evidence="negation unsat", admitted=("z3:unsat (QF_NRA)",)))
        elif r == z3.sat:
            m = s.model()
            out.append(Verdict(Status.REFUTED, claim, reason="z3 found a model of the negation",
                               counterexample={str(k): str(m[k]) for k in m.decls() if str(k).isidentifier()}))
        else:
            out.append(Verdict(Status.UNKNOWN, claim, reason=f"z3: {s.reason_unknown()}"))
    return out, secs


def describe_instance(eps: Fraction, S: Fraction, c: Fraction, gamma: Fraction) -> dict[str, Any]:
    """Exact facts about one instance (used by the claim's ``certify``)."""
    hs = exact_h_star(eps, S, c, gamma)
    lo, hi = bracket(eps, S, c, gamma, "rms")
    mlo, mhi = bracket(eps, S, c, gamma, "ms")
    return {"h_star": hs, "bracket": (lo, hi), "ms_bracket": (mlo, mhi),
            "sqrt_S_hstar": rational_sqrt(S * hs) if hs is not None else None,
            "h_star_float": h_star_float(float(eps), float(S), float(c), float(gamma)),
            "h_star_ms_float": h_star_float(float(eps), float(S), float(c), float(gamma), "ms")}


_ = fmt
