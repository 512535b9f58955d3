"""Claims (paper 1, parts 3-4): width d+1 ReLU MLPs approximate L^p targets with a certified error;
explicit depth for W^{1,p} targets; extension to R^m outputs (``docs/approximation.md``).

``certify`` (untrusted) builds the network with :func:`nncert.constructions.approximate.approximate`,
estimates the error numerically (network evaluated exactly at the sample points) and records the
conditioning. ``check`` (trusted; core + :mod:`nncert.verify.lp_error` + :mod:`nncert.verify.expr`)
re-derives from the certificate alone: the stated values, the width bound, NN == T_c exactly on every
good box, NN's range, the targets against f (exactly where f(centre) is rational), the certified bound
(every root replaced by a checked rational upper bound), bound <= eps and depth <= the depth formula.
The declared regularity (Lipschitz constant or Sobolev seminorm and range of f) is *admitted*.
"""

from __future__ import annotations

import math
import time
from fractions import Fraction
from typing import Any

from nncert.core import Certificate, Network, Status, Verdict, fmt, parse_exact
from nncert.errors import InvalidCertificate
from nncert.proofs import Claim

ID_LP = "P1.approximation.lp_width_d_plus_1"
ID_SOB = "P1.approximation.sobolev_depth"
ID_VEC = "P1.approximation.vector_valued"

PARAM_KEYS = ("d", "m", "p", "eps", "n", "eta", "width", "width_bound", "depth", "affine_maps", "n_formula",
              "depth_formula", "bound", "route")
WITNESS_KEYS = ("domain", "f", "regularity", "targets", "target_error", "network")
_PI_UP = Fraction(355, 113)


# ------------------------------------------------------------------------------------------
# certify (untrusted)
# ------------------------------------------------------------------------------------------
def _certify(claim_id: str, f: Any, domain: Any, p: Any, eps: Any, *, lipschitz: Any = None, sobolev: Any = None,
             f_range: Any = None, seed: int = 0, numeric: bool = True, exact: bool = True, progress=None) -> Certificate:  # noqa: ANN001
    from nncert.constructions.approximate import approximate  # untrusted; imported here only
    from nncert.verify.expr import parse
    from nncert.verify.lp_error import lp_error

    t0 = time.perf_counter()
    res = approximate(f, domain, p, eps, lipschitz=lipschitz, sobolev=sobolev, f_range=f_range, progress=progress)
    timings = {"construct": f"{time.perf_counter() - t0:.3f}"}
    want = {ID_LP: ("lipschitz", False), ID_SOB: ("sobolev", False), ID_VEC: (None, True)}[claim_id]
    if want[0] is not None and res.route != want[0]:
        from nncert.errors import InvalidArgument

        raise InvalidArgument(f"{claim_id} needs the {want[0]} route (got {res.route})")
    if want[1] != (res.m > 1):
        from nncert.errors import InvalidArgument

        raise InvalidArgument(f"{claim_id} is for {'vector' if want[1] else 'scalar'} targets, f has m={res.m}")
    net = res.network
    reg = res.regularity
    if res.route == "lipschitz":
        regularity = {"lipschitz": fmt(reg["lipschitz"])}
    else:
        regularity = {"sobolev": fmt(reg["sobolev"]), "f_lo": [fmt(v) for v in reg["f_lo"]],
                      "f_hi": [fmt(v) for v in reg["f_hi"]]}
    params = {
        "d": str(res.d), "m": str(res.m), "p": fmt(res.p), "eps": fmt(res.eps), "n": str(res.n), "eta": fmt(res.eta),
        "width": str(net.width), "width_bound": str(max(res.d + 1, res.m + 1) if res.m > 1 else res.d + 1),
        "depth": str(net.depth), "affine_maps": str(net.num_affine_maps), "n_formula": str(res.n_formula),
        "depth_formula": str(res.depth_formula), "bound": fmt(res.bound), "route": res.route,
    }
    witness = {
        "domain": [[fmt(a), fmt(b)] for a, b in res.domain],
        "f": list(res.exprs) if res.exprs is not None else None,
        "regularity": regularity,
        "targets": [[fmt(v) for v in row] for row in res.targets],
        "target_error": fmt(res.target_error),
        "network": net.to_json(),
    }
    checked_by: dict[str, Any] = {
        "construction": {"method": "quantize + code + real-target peel + clamp (docs/approximation.md)",
                         "regularity_source": dict(res.record.get("regularity_source", {})),
                         "peel_costs": [str(c) for c in res.peel_costs]},
    }
    if numeric or exact:
        t1 = time.perf_counter()
        exprs = [parse(e, res.d) for e in res.exprs] if res.exprs is not None else f
        rep = lp_error(net, exprs, res.domain, res.p, n=res.n, eta=res.eta, targets=res.targets,
                       target_error=res.target_error, lipschitz=reg.get("lipschitz"), sobolev=reg.get("sobolev"),
                       f_range=list(zip(reg["f_lo"], reg["f_hi"])) if res.route == "sobolev" else None,
                       numeric=numeric, exact=exact and res.exprs is not None, seed=seed)
        timings["lp_error"] = f"{time.perf_counter() - t1:.3f}"
        if rep.numeric is not None:
            checked_by["numeric"] = {
                "estimate": f"{rep.numeric.estimate:.6g}", "interval": [f"{rep.numeric.low:.6g}", f"{rep.numeric.high:.6g}"],
                "method": rep.numeric.method, "points": str(rep.numeric.points), "seed": str(seed),
            }
        if rep.exact_pth_power is not None:
            checked_by["exact"] = {"error_pth_power": fmt(rep.exact_pth_power),
                                   "error": f"{float(rep.exact_pth_power) ** (1 / float(res.p)):.6g}"}
        elif rep.exact_symbolic is not None:
            es = rep.exact_symbolic
            checked_by["exact"] = {"error_pth_power": es.text, "error_pth_power_enclosure": [fmt(es.low), fmt(es.high)],
                                   "error": f"{float(es.high) ** (1 / float(res.p)):.6g}",
                                   "method": "sympy closed form (logs, surds) over the linear regions split by the "
                                             "sign curve; enclosure by mpmath interval arithmetic"}
        checked_by["conditioning"] = rep.conditioning()
        checked_by["bound_recheck"] = f"{rep.verdict.status.value}: re-derived bound " + (
            f"{float(rep.bound):.6g}" if rep.bound is not None else "n/a")
    admitted = _admitted(res.route, regularity, res.exprs is None, res.target_error != 0,
                         checked_by["construction"]["regularity_source"])
    return Certificate(claim_id, params, witness, tuple(admitted), checked_by, timings)


def _admitted(route: str, regularity: dict, callable_f: bool, rounded: bool, source: dict) -> list[str]:
    out = []
    if route == "lipschitz":
        how = source.get("lipschitz", "declared")
        out.append(f"regularity: f is {regularity['lipschitz']}-Lipschitz on the box (Euclidean; {how}; not re-derived)")
    else:
        out.append(f"regularity: |f|_W1p <= {regularity['sobolev']} and f in [{regularity['f_lo'][0]}, "
                   f"{regularity['f_hi'][0]}] on the box ({source.get('f_range', 'declared')} range; not re-derived)")
    if callable_f:
        out.append("targets: values of a user callable at the cell centres (no expression to re-derive them)")
    elif rounded:
        out.append("targets: non-rational f values compared with sympy evalf at 50 digits (margin 10^-40)")
    return out


def certify_lp(f: Any = "abs(x1 - 1/2)", domain: Any = "0:1", p: Any = 2, eps: Any = "1/10", **kw: Any) -> Certificate:
    """Certificate of ``P1.approximation.lp_width_d_plus_1`` (scalar f, Lipschitz route)."""
    return _certify(ID_LP, f, domain, p, eps, **kw)


def certify_sobolev(f: Any = "sin(pi*x1)", domain: Any = "0:1", p: Any = 2, eps: Any = "1/10", *,
                    sobolev: Any = "2.23", **kw: Any) -> Certificate:
    """Certificate of ``P1.approximation.sobolev_depth`` (cell averages, Poincare; |f|_W1p <= sobolev)."""
    return _certify(ID_SOB, f, domain, p, eps, sobolev=sobolev, **kw)


def certify_vector(f: Any = ("x1*x2", "abs(x1 - x2)"), domain: Any = "0:1,0:1", p: Any = 2, eps: Any = "1/5",
                   **kw: Any) -> Certificate:
    """Certificate of ``P1.approximation.vector_valued`` (R^m-valued f, Lipschitz route)."""
    return _certify(ID_VEC, f, domain, p, eps, **kw)


# ------------------------------------------------------------------------------------------
# check (trusted)
# ------------------------------------------------------------------------------------------
def _int(text: Any, where: str) -> int:
    v = parse_exact(text, where)
    if v.denominator != 1 or v < 0:
        raise InvalidCertificate(f"{where}: expected a non-negative integer, got {text!r}")
    return int(v)


def _load(cert: Certificate) -> dict[str, Any]:
    if set(cert.params) != set(PARAM_KEYS) or not all(isinstance(v, str) for v in cert.params.values()):
        raise InvalidCertificate(f"{cert.claim}: params must be exactly {list(PARAM_KEYS)} as strings")
    w = cert.witness
    if set(w) != set(WITNESS_KEYS):
        raise InvalidCertificate(f"{cert.claim}: witness must have exactly {list(WITNESS_KEYS)}")
    dom_raw = w["domain"]
    if not isinstance(dom_raw, list) or not 1 <= len(dom_raw) <= 4:
        raise InvalidCertificate("witness.domain: expected a list of 1..4 [lo, hi] pairs")
    domain = []
    for j, ab in enumerate(dom_raw):
        if not isinstance(ab, list) or len(ab) != 2:
            raise InvalidCertificate(f"witness.domain[{j}]: expected [lo, hi]")
        lo, hi = parse_exact(ab[0], f"witness.domain[{j}][0]"), parse_exact(ab[1], f"witness.domain[{j}][1]")
        if not lo < hi:
            raise InvalidCertificate(f"witness.domain[{j}]: lo >= hi")
        domain.append((lo, hi))
    d = len(domain)
    n = _int(cert.params["n"], "params.n")
    if n < 1 or n ** d > 10 ** 6:
        raise InvalidCertificate(f"params.n = {n} out of range")
    targets_raw = w["targets"]
    if not isinstance(targets_raw, list) or len(targets_raw) != n ** d:
        raise InvalidCertificate(f"witness.targets: expected {n ** d} rows (n^d)")
    targets = []
    m = None
    for i, row in enumerate(targets_raw):
        if not isinstance(row, list) or not row or (m is not None and len(row) != m):
            raise InvalidCertificate(f"witness.targets[{i}]: expected a list of m values")
        m = len(row)
        targets.append(tuple(parse_exact(v, f"witness.targets[{i}]") for v in row))
    assert m is not None
    f_raw = w["f"]
    exprs = None
    if f_raw is not None:
        from nncert.errors import InvalidArgument
        from nncert.verify.expr import parse

        if not isinstance(f_raw, list) or len(f_raw) != m or not all(isinstance(t, str) for t in f_raw):
            raise InvalidCertificate(f"witness.f: expected null or a list of {m} expression strings")
        try:
            exprs = [parse(t, d) for t in f_raw]
        except InvalidArgument as err:
            raise InvalidCertificate(f"witness.f: {err}") from None
    reg = w["regularity"]
    route = cert.params["route"]
    if route == "lipschitz":
        if not isinstance(reg, dict) or set(reg) != {"lipschitz"}:
            raise InvalidCertificate("witness.regularity: expected {\"lipschitz\": ...}")
        regv = {"lipschitz": parse_exact(reg["lipschitz"], "witness.regularity.lipschitz")}
        if regv["lipschitz"] < 0:
            raise InvalidCertificate("witness.regularity.lipschitz < 0")
    elif route == "sobolev":
        if not isinstance(reg, dict) or set(reg) != {"sobolev", "f_lo", "f_hi"}:
            raise InvalidCertificate("witness.regularity: expected sobolev, f_lo, f_hi")
        regv = {"sobolev": parse_exact(reg["sobolev"], "witness.regularity.sobolev")}
        for key in ("f_lo", "f_hi"):
            if not isinstance(reg[key], list) or len(reg[key]) != m:
                raise InvalidCertificate(f"witness.regularity.{key}: expected {m} values")
            regv[key] = [parse_exact(v, f"witness.regularity.{key}") for v in reg[key]]
        if m != 1:
            raise InvalidCertificate("the Sobolev route is for m = 1")
    else:
        raise InvalidCertificate(f"params.route: expected 'lipschitz' or 'sobolev', got {route[:20]!r}")
    p = parse_exact(cert.params["p"], "params.p")
    if p < 1 or p.numerator > 64 * p.denominator or p.denominator > 64:
        raise InvalidCertificate(f"params.p = {fmt(p)} outside [1, 64] with denominator <= 64")
    eps = parse_exact(cert.params["eps"], "params.eps")
    eta = parse_exact(cert.params["eta"], "params.eta")
    if eps <= 0 or eta < 0 or (n > 1 and not eta < Fraction(1, n)):
        raise InvalidCertificate("params: need eps > 0 and 0 <= eta < 1/n")
    return {
        "domain": domain, "d": d, "m": m, "n": n, "p": p, "eps": eps, "eta": eta, "targets": targets,
        "exprs": exprs, "route": route, "reg": regv,
        "target_error": parse_exact(w["target_error"], "witness.target_error"),
        "network": Network.from_json(w["network"], "witness.network"),
        "bound": parse_exact(cert.params["bound"], "params.bound"),
    }


def _formula(c: dict[str, Any]) -> tuple[int, int]:
    """(n_formula, depth_formula) by the theorem's explicit constants (checker's own arithmetic)."""
    from nncert.verify.lp_error import upper_root

    d, m, eps, p = c["d"], c["m"], c["eps"], c["p"]
    vol = Fraction(1)
    diag2 = Fraction(0)
    for lo, hi in c["domain"]:
        vol *= hi - lo
        diag2 += (hi - lo) ** 2
    if c["route"] == "lipschitz":
        # sup-norm good bound L S h/2 |B|^(1/p) <= eps/2
        val = c["reg"]["lipschitz"] * upper_root(diag2, 1, 2) * upper_root(vol, p.denominator, p.numerator) / eps
    else:
        # Poincare: C_Omega K / n <= eps/2, C_Omega = omega_d^(1-1/d) S^d / |B|^(1-1/d) (S for d = 1)
        if d == 1:
            c_om = upper_root(diag2, 1, 2)
        else:
            omega = {2: _PI_UP, 3: 4 * _PI_UP / 3, 4: _PI_UP ** 2 / 2}[d]
            c_om = upper_root(omega / vol, d - 1, d) * upper_root(diag2, d, 2)
        val = 2 * c_om * c["reg"]["sobolev"] / eps
    n_f = max(1, math.ceil(val))
    return n_f, d * (n_f - 1) + m * (n_f ** d + 1)


def _ok(name: str, cond: bool, evidence: str, reason: str, cex: dict[str, str]) -> Verdict:
    if cond:
        return Verdict(Status.HOLDS, name, evidence=evidence)
    return Verdict(Status.REFUTED, name, reason=reason, counterexample=cex)


def _check_targets(c: dict[str, Any]) -> tuple[Verdict, list[str]]:
    """Targets against f: centre values (Lipschitz) or cell averages (Sobolev), within target_error."""
    import sympy

    from nncert.verify.expr import symbols

    exprs = c["exprs"]
    if exprs is None:
        return Verdict(Status.HOLDS, "targets vs f", evidence="f is a user callable: targets taken as given"), []
    d, n, dom = c["d"], c["n"], c["domain"]
    syms = symbols(d)
    tol = c["target_error"]
    used_evalf = False
    worst = Fraction(0)
    for code, row in enumerate(c["targets"]):
        idx, k = [], code
        for _ in range(d):
            idx.append(k % n)
            k //= n
        if c["route"] == "lipschitz":
            pt = [lo + (hi - lo) * Fraction(2 * i + 1, 2 * n) for (lo, hi), i in zip(dom, idx)]
            sub = {s: sympy.Rational(v.numerator, v.denominator) for s, v in zip(syms, pt)}
            vals = [e.xreplace(sub) for e in exprs]
        else:
            lims, vol = [], Fraction(1)
            for s, (lo, hi), i in zip(syms, dom, idx):
                a, b = lo + (hi - lo) * Fraction(i, n), lo + (hi - lo) * Fraction(i + 1, n)
                vol *= b - a
                lims.append((s, sympy.Rational(a.numerator, a.denominator), sympy.Rational(b.numerator, b.denominator)))
            vals = [sympy.integrate(e, *lims) / sympy.Rational(vol.numerator, vol.denominator) for e in exprs]
        for k, (v, t) in enumerate(zip(vals, row)):
            if v.is_Rational:
                diff = abs(Fraction(int(v.p), int(v.q)) - t)
                ok = diff <= tol
                worst = max(worst, diff)
            else:
                used_evalf = True
                num = sympy.N(v - sympy.Rational(t.numerator, t.denominator), 50)
                if not num.is_real:
                    ok = False
                else:
                    ok = abs(num) <= sympy.Rational(tol.numerator, tol.denominator) - sympy.Rational(1, 10 ** 40)
            if not ok:
                return Verdict(Status.REFUTED, "targets vs f", reason=f"cell {code} output {k}: target {fmt(t)} is not "
                               f"within {fmt(tol)} of f ({'centre' if c['route'] == 'lipschitz' else 'average'})",
                               counterexample={"cell": str(code), "target": fmt(t)}), []
    what = "f(cell centre)" if c["route"] == "lipschitz" else "cell average of f"
    adm = ["targets: non-rational f values compared with sympy evalf at 50 digits (margin 10^-40)"] if used_evalf else []
    return Verdict(Status.HOLDS, "targets vs f", evidence=f"|T_c - {what}| <= {fmt(tol)} for all {len(c['targets'])} "
                   f"cells" + (" (evalf for non-rational values)" if used_evalf else " (exact)")), adm


def _check(cert: Certificate, **_: Any) -> Verdict:
    """Trusted re-check of an approximation certificate (any of the three claim ids)."""
    from nncert.verify.lp_error import check_cells, output_range, rigorous_bound

    c = _load(cert)
    net: Network = c["network"]
    d, m, n = c["d"], c["m"], c["n"]
    parts: list[Verdict] = []
    admitted = list(cert.admitted)
    if net.input_dim != d or net.output_dim != m:
        parts.append(Verdict(Status.REFUTED, "shape", reason=f"network maps R^{net.input_dim} -> R^{net.output_dim}, "
                             f"expected R^{d} -> R^{m}", counterexample={"input_dim": str(net.input_dim)}))
        return Verdict.combine(cert.claim, parts, admitted)
    wb = max(d + 1, m + 1) if m > 1 else d + 1
    n_f, depth_f = _formula(c)
    actual = {"d": str(d), "m": str(m), "width": str(net.width), "width_bound": str(wb), "depth": str(net.depth),
              "affine_maps": str(net.num_affine_maps), "n_formula": str(n_f), "depth_formula": str(depth_f)}
    wrong = [k for k, v in actual.items() if cert.params[k] != v]
    parts.append(_ok("stated values", not wrong, f"d={d}, m={m}, n={n}, width/depth/formula as stated",
                     ", ".join(f"{k} stated {cert.params[k]!r} but is {actual[k]}" for k in wrong),
                     {k: actual[k] for k in wrong}))
    if cert.claim == ID_VEC and m < 2:
        parts.append(Verdict(Status.REFUTED, "m >= 2", reason="vector claim with a scalar target", counterexample={"m": str(m)}))
    if cert.claim != ID_VEC and m != 1:
        parts.append(Verdict(Status.REFUTED, "m == 1", reason=f"scalar claim with m={m}", counterexample={"m": str(m)}))
    if cert.claim == ID_SOB and c["route"] != "sobolev":
        parts.append(Verdict(Status.REFUTED, "route", reason="the W^{1,p} depth claim needs the Sobolev route",
                             counterexample={"route": c["route"]}))
    parts.append(_ok(f"width <= {wb}", net.width <= wb, f"hidden widths {min(net.widths)}..{net.width} <= {wb}",
                     f"width {net.width} > {wb}", {"width": str(net.width)}))
    parts.append(_ok("depth <= formula", net.depth <= depth_f,
                     f"depth {net.depth} hidden layers ({net.num_affine_maps} affine maps) <= {depth_f} "
                     f"(n_formula={n_f})", f"depth {net.depth} > {depth_f}", {"depth": str(net.depth)}))
    cells = check_cells(net, c["domain"], n, c["eta"], c["targets"])
    parts.append(cells)
    rng = output_range(net, c["domain"])
    parts.append(Verdict(Status.HOLDS, "NN range", evidence="NN in " + ", ".join(f"[{float(a):.4g}, {float(b):.4g}]"
                                                                                for a, b in rng) + " on the box"))
    if cert.claim == ID_LP and all(t[0] >= 0 for t in c["targets"]):
        parts.append(_ok("R_+ output", rng[0][0] >= 0, "targets >= 0 and NN >= 0 on the whole box",
                         f"NN can be {fmt(rng[0][0])} < 0", {"nn_lo": fmt(rng[0][0])}))
    tv, adm = _check_targets(c)
    parts.append(tv)
    admitted.extend(a for a in adm if a not in admitted)
    if cells.holds and tv.holds:
        reg = c["reg"]
        bp = rigorous_bound(c["domain"], n, c["eta"], c["p"], c["targets"], c["target_error"], rng,
                            lipschitz=reg.get("lipschitz"), sobolev=reg.get("sobolev"),
                            f_range=list(zip(reg["f_lo"], reg["f_hi"])) if c["route"] == "sobolev" else None)
        stated = c["bound"]
        if stated >= bp.bound:
            parts.append(Verdict(Status.HOLDS, "certified bound", evidence=f"||f - NN||_p <= {float(bp.bound):.6g} "
                                 f"<= stated {float(stated):.6g} (good {float(bp.good):.4g}, bad height "
                                 f"{float(bp.bad_height):.4g} on measure {float(bp.bad_measure):.3g})"))
        elif stated >= bp.bound * (1 - Fraction(1, 2 ** 60)):
            parts.append(Verdict(Status.UNKNOWN, "certified bound", reason=f"stated {fmt(stated)} is within rounding "
                                 f"of the re-derived {float(bp.bound):.17g}"))
        else:
            parts.append(Verdict(Status.REFUTED, "certified bound", reason=f"stated bound {float(stated):.6g} is below "
                                 f"the re-derived {float(bp.bound):.6g}", counterexample={"bound": fmt(stated)}))
        parts.append(_ok("bound <= eps", stated <= c["eps"], f"{float(stated):.6g} <= eps = {fmt(c['eps'])}",
                         f"bound {float(stated):.6g} > eps = {fmt(c['eps'])}", {"bound": fmt(stated)}))
    else:
        parts.append(Verdict(Status.UNKNOWN, "certified bound", reason="not re-derived: an earlier part did not hold"))
    return Verdict.combine(cert.claim, parts, admitted)


check = _check


def _quick_lp() -> Certificate:
    return certify_lp("abs(x1 - 1/2)", "0:1", 2, "1/10")


def _quick_sob() -> Certificate:
    return certify_sobolev("sin(pi*x1)", "0:1", 2, "1/10", sobolev="2.23")


def _quick_vec() -> Certificate:
    return certify_vector(("x1*x2", "abs(x1 - x2)"), "0:1,0:1", 2, "1/5")


CLAIMS = [
    Claim(
        id=ID_LP,
        statement="width d+1 ReLU MLPs approximate L^p(Omega; R_+) targets to any eps, with certified L^p error",
        paper_part="Paper 1, universal approximation in L^p (width d+1)",
        certify=certify_lp,
        check=_check,
        quick=_quick_lp,
    ),
    Claim(
        id=ID_SOB,
        statement="for W^{1,p} targets the depth is O((|f|_{W^{1,p}}/eps)^d) with explicit constants",
        paper_part="Paper 1, depth estimate for W^{1,p} targets",
        certify=certify_sobolev,
        check=_check,
        depends_on=(ID_LP,),
        quick=_quick_sob,
    ),
    Claim(
        id=ID_VEC,
        statement="the approximation and depth results extend to L^p(Omega; R^m) (width max(d+1, m+1))",
        paper_part="Paper 1, extension to R^m outputs",
        certify=certify_vector,
        check=_check,
        depends_on=(ID_LP,),
        quick=_quick_vec,
    ),
]
