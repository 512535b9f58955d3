"""Claim (paper 2): the Horvitz-Thompson random-batch field is unbiased, ``E F^h = F``, for every scheme.

``certify`` (untrusted) lists every scheme instance for p = 1..p_max (full, Bernoulli(1/3),
all-subsets, uniform r = 1..p, pick-one, drop-one, balanced and unbalanced partitions, a finite
family), states ``pi`` and ``E|B|`` from :mod:`nncert.constructions.batches`, runs the sympy proofs
of :mod:`nncert.verify.rbm_symbolic` (symbolic parameters and contributions; general p) and builds
both negative controls with an exact counterexample.

``check`` (trusted; Fractions only) re-enumerates every law from its spec
(:mod:`nncert.verify.rbm_exact`), recomputes ``pi`` and ``E|B|`` (a mismatch is REFUTED, naming the
field), and proves unbiasedness for *all* contributions ``f`` by the exact identities
``sum_{B containing i} P(B) / pi_i = 1`` (linearity of ``E``). For each negative control it
re-derives the biased law/weights from its kind and parameters, re-evaluates ``E F^h`` at the
stated counterexample exactly and confirms ``E F^h != F``. The symbolic-parameter and general-p
sympy proofs cannot be re-derived cheaply here: they are listed under ``admitted``.
"""

from __future__ import annotations

import time
from fractions import Fraction
from typing import Any

from nncert.core import Certificate, Status, Verdict, fmt, parse_exact
from nncert.errors import InvalidArgument, InvalidCertificate
from nncert.proofs import Claim
from nncert.proofs.claims._p2_est_common import (
    coverage,
    DEFAULT_P_MAX, QUICK_P_MAX, default_schemes, exact_matrix, group_parts, label, need, need_list, stated, str_list,
)
from nncert.verify import rbm_exact as rx

ID = "P2.unbiasedness"
STATEMENT = "the Horvitz-Thompson random-batch field is unbiased, E F^h = F, for every batch scheme"
ADMITTED_SYMBOLIC = ("sympy: E F^h = F as a polynomial identity in symbolic f (d components) and symbolic scheme "
                     "parameters (q; w1..w3) for p = 1..p_max, and the general-p indicator derivation "
                     "(re-derived by the checker only at the certificate's rational parameter values)")


def certify(p_max: int = DEFAULT_P_MAX, *, d: int = 2, families: tuple[str, ...] | None = None,
            symbolic: bool = True, symbolic_results: list[Verdict] | None = None,
            progress: Any = None) -> Certificate:
    """Build the certificate (see the module docstring)."""
    from nncert.constructions.estimators import find_bias_counterexample, forced_nonempty_bernoulli, min_pi_scaling

    if isinstance(p_max, bool) or not isinstance(p_max, int) or not 1 <= p_max <= 8:
        raise InvalidArgument(f"p_max must be an integer in 1..8 but got p_max={p_max!r}")
    timings: dict[str, str] = {}
    t0 = time.perf_counter()
    instances = []
    for fam, s in default_schemes(p_max, families):
        instances.append({"family": fam, "name": s.name, "scheme": s.spec(),
                          "pi": [fmt(v) for v in s.pi()], "expected_size": fmt(s.expected_size())})
    controls = []
    for design, kind, extra in (
        (forced_nonempty_bernoulli(1, Fraction(1, 2)), "forced_nonempty_bernoulli", {"p": "1", "q": "1/2"}),
        (forced_nonempty_bernoulli(3, Fraction(1, 3)), "forced_nonempty_bernoulli", {"p": "3", "q": "1/3"}),
        (min_pi_scaling(), "min_pi_scaling", None),
    ):
        cx = find_bias_counterexample(design, d=d)
        if cx is None:  # pragma: no cover - the controls are biased by construction
            raise InvalidArgument(f"control {design.name} came out unbiased")
        entry: dict[str, Any] = {"kind": kind}
        if extra is not None:
            entry.update(extra)
        else:
            from nncert.constructions.batches import FiniteFamily

            fam_s = FiniteFamily(2, [[0], [0, 1]], [Fraction(1, 2), Fraction(1, 2)])
            entry["scheme"] = fam_s.spec()
        entry["counterexample"] = {"f": [[fmt(v) for v in row] for row in cx["f"]],
                                   "E_Fh": [fmt(v) for v in cx["expectation"]], "F": [fmt(v) for v in cx["field"]]}
        controls.append(entry)
    timings["build"] = f"{time.perf_counter() - t0:.3f}"
    checked_by: dict[str, Any] = {}
    admitted: list[str] = []
    if symbolic:
        t1 = time.perf_counter()
        res = symbolic_results
        if res is None:
            from nncert.verify.rbm_symbolic import prove_all

            res = prove_all(range(1, p_max + 1), d=d, progress=progress)
        mine = [v for v in res if v.claim.startswith(("law", "pi table", "unbiased", "general p: unbiased"))]
        checked_by["sympy"] = {
            "identities": str(len(mine)),
            "holds": str(sum(v.holds for v in mine)),
            "failures": [v.summary()[:200] for v in mine if not v.holds][:20],
            "general_p": [v.summary() for v in mine if v.claim.startswith("general p")],
        }
        from nncert.verify.rbm_symbolic import check_design_unbiased

        ctl = []
        for design in (forced_nonempty_bernoulli(1, Fraction(1, 2)), min_pi_scaling()):
            v = check_design_unbiased(design.name, design.p, [(tuple(b), q) for b, q in design.law], design.weights, d)
            ctl.append(v.summary())
        checked_by["sympy_controls"] = ctl
        timings["sympy"] = f"{time.perf_counter() - t1:.3f}"
        admitted.append(ADMITTED_SYMBOLIC)
    params = {"p_max": str(p_max), "d": str(d), "instances": str(len(instances)), "controls": str(len(controls))}
    return Certificate(ID, params, {"instances": instances, "controls": controls}, tuple(admitted), checked_by, timings)


# ---- trusted ------------------------------------------------------------------------------------

def _control_design(entry: dict[str, Any], where: str) -> tuple[int, rx.Law, list[Fraction]]:
    kind = entry.get("kind")
    if kind == "forced_nonempty_bernoulli":
        need(entry, {"kind", "p", "q", "counterexample"}, where)
        p = rx.parse_int(entry["p"], f"{where}.p", 1, 10)
        q = parse_exact(entry["q"], f"{where}.q")
        if not 0 < q < 1:
            raise InvalidCertificate(f"{where}.q must be in (0, 1)")
        full = rx.law_of_spec({"scheme": "bernoulli", "p": str(p), "q": fmt(q)}, where)
        z = 1 - (1 - q) ** p
        return p, [(b, w / z) for b, w in full if b], [1 / q] * p
    if kind == "min_pi_scaling":
        need(entry, {"kind", "scheme", "counterexample"}, where)
        law = rx.law_of_spec(entry["scheme"], f"{where}.scheme")
        p = rx.parse_spec(entry["scheme"])["p"]
        pis = rx.inclusion(p, law)
        if min(pis) == 0:
            raise InvalidCertificate(f"{where}: some pi_i = 0")
        return p, law, [1 / min(pis)] * p
    raise InvalidCertificate(f"{where}.kind: unknown control {str(kind)[:40]!r}")


def check(cert: Certificate, **_: Any) -> Verdict:
    """Trusted re-check: exact enumeration with Fractions only."""
    w = need(cert.witness, {"instances", "controls"}, "witness")
    if set(cert.params) != {"p_max", "d", "instances", "controls"}:
        raise InvalidCertificate(f"{ID}: params must be exactly p_max, d, instances, controls")
    p_max = rx.parse_int(cert.params["p_max"], "params.p_max", 1, rx.MAX_CHECK_P)
    d = rx.parse_int(cert.params["d"], "params.d", 1, 8)
    insts = need_list(w["instances"], "witness.instances", 5000)
    parts: list[Verdict] = []
    bad = stated("params.instances", cert.params["instances"], str(len(insts)))
    if bad:
        parts.append(bad)
    results: list[tuple[str, str, Verdict | None]] = []
    seen_p: set[int] = set()
    for k, inst in enumerate(insts):
        where = f"witness.instances[{k}]"
        need(inst, {"family", "name", "scheme", "pi", "expected_size"}, where)
        if not all(isinstance(inst[key], str) for key in ("family", "name", "expected_size")):
            raise InvalidCertificate(f"{where}: family and name must be strings")
        spec = inst["scheme"]
        law = rx.law_of_spec(spec, f"{where}.scheme")
        p = rx.parse_spec(spec)["p"]
        if p > p_max:
            raise InvalidCertificate(f"{where}: p={p} exceeds params.p_max={p_max}")
        seen_p.add(p)
        lab = f"{inst['name']} {label(spec)}"
        pis = rx.inclusion(p, law)
        failure = (stated(f"{where}.pi", ",".join(str_list(inst["pi"], f"{where}.pi")), ",".join(fmt(v) for v in pis))
                   or stated(f"{where}.expected_size", str(inst["expected_size"]), fmt(sum(pis, Fraction(0)))))
        if failure is None:
            zero = [i for i, v in enumerate(pis) if v == 0]
            if zero:
                failure = Verdict(Status.REFUTED, lab, reason=f"pi_{zero[0]} = 0: HT estimator undefined",
                                  counterexample={"i": str(zero[0])})
        if failure is None:
            coef = rx.bias_coefficients(p, law, [1 / v for v in pis])
            nz = [i for i, c in enumerate(coef) if c != 0]
            if nz:  # cannot happen for a valid law with weights 1/pi; kept as an honest check
                failure = Verdict(Status.REFUTED, lab, reason=f"bias coefficient of f_{nz[0]} is {fmt(coef[nz[0]])}",
                                  counterexample={"i": str(nz[0]), "coefficient": fmt(coef[nz[0]])})
        results.append((inst["family"], lab, failure))
    parts.extend(group_parts("unbiased (exact enumeration, all f)", results))
    parts.append(coverage("p = 1..p_max covered", seen_p, set(range(1, p_max + 1))))
    ctls = need_list(w["controls"], "witness.controls", 100)
    if cert.params["controls"] != str(len(ctls)):
        parts.append(stated("params.controls", cert.params["controls"], str(len(ctls))))  # type: ignore[arg-type]
    for k, entry in enumerate(ctls):
        where = f"witness.controls[{k}]"
        if not isinstance(entry, dict):
            raise InvalidCertificate(f"{where}: expected an object")
        p, law, weights = _control_design(entry, where)
        cx = need(entry["counterexample"], {"f", "E_Fh", "F"}, f"{where}.counterexample")
        f = exact_matrix(cx["f"], f"{where}.counterexample.f", p, None)
        dd = len(f[0])
        e = [sum((q * weights[i] * f[i][c] for b, q in law for i in b), Fraction(0)) for c in range(dd)]
        F = [sum((f[i][c] for i in range(p)), Fraction(0)) for c in range(dd)]
        name = f"negative control {entry['kind']} (p={p})"
        mism = (stated(f"{where}.counterexample.E_Fh", ",".join(str_list(cx["E_Fh"], f"{where}.E_Fh")),
                       ",".join(fmt(v) for v in e))
                or stated(f"{where}.counterexample.F", ",".join(str_list(cx["F"], f"{where}.F")),
                          ",".join(fmt(v) for v in F)))
        if mism:
            parts.append(mism)
        elif e == F:
            parts.append(Verdict(Status.REFUTED, name, reason="stated counterexample shows no bias",
                                 counterexample={"E_Fh": ",".join(fmt(v) for v in e)}))
        else:
            parts.append(Verdict(Status.HOLDS, name, evidence=f"biased as expected: E F^h = ({', '.join(fmt(v) for v in e)})"
                                 f" != F = ({', '.join(fmt(v) for v in F)}) at the stated f (exact)"))
    _ = d
    return Verdict.combine(ID, parts, cert.admitted)


def _quick() -> Certificate:
    return certify(QUICK_P_MAX, d=1)


def _full() -> Certificate:
    return certify(DEFAULT_P_MAX, d=2)


CLAIM = Claim(
    id=ID,
    statement=STATEMENT,
    paper_part="Paper 2, unbiased estimator",
    certify=certify,
    check=check,
    quick=_quick,
    full=_full,
)
