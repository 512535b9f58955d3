"""Claim (paper 2): the pointwise variance identities of the HT random-batch estimator.

For every scheme instance (p = 1..p_max, same list as ``P2.unbiasedness``):
``E|F^h - F|^2 = sum_ij (pi_ij/(pi_i pi_j) - 1) <f_i, f_j>`` and each specialized row of
``random_batch.md`` section 3 (Bernoulli, uniform, balanced/unbalanced disjoint, finite family,
pick-one, drop-one, all-subsets, full). Also: at ``q = r/p``,
``Var_Bern - Var_unif = (p-r)/(r(p-1)) (|F|^2 - sum|f_i|^2)`` (so uniform beats Bernoulli iff
``|F|^2 >= sum|f_i|^2``; neither dominates), and the mean of the balanced-partition variance over
*all* balanced partitions equals the uniform variance.

``check`` (trusted, Fractions only): a quadratic-form identity in ``f`` holds for all ``f`` iff the
symmetric coefficient matrices agree, so it re-enumerates each law, computes
``Q_ij = E[(I_i/pi_i - 1)(I_j/pi_j - 1)]`` exactly and compares it with the HT matrix and with each
row's matrix (built by its own few lines in :mod:`nncert.verify.rbm_exact`). Partition averages are
re-enumerated (count checked against ``p!/((r!)^n n!)``). The sympy proofs with symbolic parameters
and general p are ``admitted``.
"""

from __future__ import annotations

import math
import time
from fractions import Fraction
from typing import Any

from nncert.core import Certificate, Status, Verdict, fmt
from nncert.errors import InvalidArgument, InvalidCertificate
from nncert.proofs import Claim
from nncert.proofs.claims._p2_est_common import (
    coverage,
    DEFAULT_P_MAX, QUICK_P_MAX, default_schemes, group_parts, label, need, need_list,
)
from nncert.verify import rbm_exact as rx

ID = "P2.variance_identities"
STATEMENT = "pointwise variance identities of the estimator for each canonical batch scheme"
ADMITTED_SYMBOLIC = ("sympy: the variance identities as polynomial identities in symbolic f and symbolic scheme "
                     "parameters for p = 1..p_max, and the general-p derivation of every row (re-derived by the "
                     "checker only at the certificate's rational parameter values)")


def certify(p_max: int = DEFAULT_P_MAX, *, d: int = 2, families: tuple[str, ...] | None = None,
            symbolic: bool = True, symbolic_results: list[Verdict] | None = None,
            progress: Any = None) -> Certificate:
    """Build the certificate (instances, row names/coefficients, partition averages, uniform-vs-Bernoulli)."""
    if isinstance(p_max, bool) or not isinstance(p_max, int) or not 1 <= p_max <= 8:
        raise InvalidArgument(f"p_max must be an integer in 1..8 but got p_max={p_max!r}")
    timings: dict[str, str] = {}
    t0 = time.perf_counter()
    instances = []
    for fam, s in default_schemes(p_max, families):
        spec = s.spec()
        rows = [{"name": name, "coefficient": "none" if c is None else fmt(c)} for name, c, _ in rx.row_matrix(spec)]
        instances.append({"family": fam, "name": s.name, "scheme": spec, "rows": rows})
    averages = [{"p": str(p), "r": str(r), "count": str(_count(p, r))}
                for p in range(1, p_max + 1) for r in range(1, p + 1) if p % r == 0]
    ub = [{"p": str(p), "r": str(r)} for p in range(2, p_max + 1) for r in range(1, p)]
    timings["build"] = f"{time.perf_counter() - t0:.3f}"
    checked_by: dict[str, Any] = {}
    admitted: list[str] = []
    if symbolic:
        t1 = time.perf_counter()
        res = symbolic_results
        if res is None:
            from nncert.verify.rbm_symbolic import prove_all

            res = prove_all(range(1, p_max + 1), d=d, progress=progress)
        mine = [v for v in res if v.claim.startswith(("variance", "row", "uniform vs", "partition average",
                                                       "neither", "general p: variance", "general p: row",
                                                       "general p: uniform", "general p: partition"))]
        checked_by["sympy"] = {
            "identities": str(len(mine)),
            "holds": str(sum(v.holds for v in mine)),
            "failures": [v.summary()[:200] for v in mine if not v.holds][:20],
            "general_p": [v.summary() for v in mine if v.claim.startswith(("general p", "neither"))],
        }
        timings["sympy"] = f"{time.perf_counter() - t1:.3f}"
        admitted.append(ADMITTED_SYMBOLIC)
    params = {"p_max": str(p_max), "d": str(d), "instances": str(len(instances))}
    witness = {"instances": instances, "partition_average": averages, "uniform_vs_bernoulli": ub}
    return Certificate(ID, params, witness, tuple(admitted), checked_by, timings)


def _count(p: int, r: int) -> int:
    n = p // r
    return math.factorial(p) // (math.factorial(r) ** n * math.factorial(n))


# ---- trusted ------------------------------------------------------------------------------------

def _q_of(p: int, law: rx.Law) -> rx.Matrix:
    pis = rx.inclusion(p, law)
    if any(v == 0 for v in pis):
        raise InvalidCertificate("some pi_i = 0")
    return rx.variance_matrix(p, law, [1 / v for v in pis])


def _first_diff(a: rx.Matrix, b: rx.Matrix) -> tuple[int, int] | None:
    for i, (ra, rb) in enumerate(zip(a, b)):
        for j, (x, y) in enumerate(zip(ra, rb)):
            if x != y:
                return i, j
    return None


def check(cert: Certificate, **_: Any) -> Verdict:
    """Trusted re-check: exact coefficient matrices from re-enumerated laws."""
    w = need(cert.witness, {"instances", "partition_average", "uniform_vs_bernoulli"}, "witness")
    if set(cert.params) != {"p_max", "d", "instances"}:
        raise InvalidCertificate(f"{ID}: params must be exactly p_max, d, instances")
    p_max = rx.parse_int(cert.params["p_max"], "params.p_max", 1, 10)
    rx.parse_int(cert.params["d"], "params.d", 1, 8)  # dimension of the (admitted) sympy proof only
    seen_p: set[int] = set()
    insts = need_list(w["instances"], "witness.instances", 5000)
    parts: list[Verdict] = []
    if cert.params["instances"] != str(len(insts)):
        parts.append(Verdict(Status.REFUTED, "params.instances", reason="count differs",
                             counterexample={"instances": str(len(insts))}))
    ht_res: list[tuple[str, str, Verdict | None]] = []
    row_res: list[tuple[str, str, Verdict | None]] = []
    for k, inst in enumerate(insts):
        where = f"witness.instances[{k}]"
        need(inst, {"family", "name", "scheme", "rows"}, where)
        if not isinstance(inst["family"], str) or not isinstance(inst["name"], str):
            raise InvalidCertificate(f"{where}: family/name must be strings")
        spec = inst["scheme"]
        law = rx.law_of_spec(spec, f"{where}.scheme")
        p = rx.parse_spec(spec)["p"]
        if p > p_max:
            raise InvalidCertificate(f"{where}: p={p} exceeds p_max")
        seen_p.add(p)
        lab = f"{inst['name']} {label(spec)}"
        Q = _q_of(p, law)
        diff = _first_diff(Q, rx.ht_matrix(p, law))
        ht_res.append((inst["family"], lab, None if diff is None else Verdict(
            Status.REFUTED, lab, reason=f"E[a_i a_j] != pi_ij/(pi_i pi_j) - 1 at {diff}",
            counterexample={"i": str(diff[0]), "j": str(diff[1])})))
        mine = rx.row_matrix(spec, f"{where}.scheme")
        rows = need_list(inst["rows"], f"{where}.rows", 10)
        failure: Verdict | None = None
        if len(rows) != len(mine):
            failure = Verdict(Status.REFUTED, lab, reason=f"{len(rows)} rows stated, {len(mine)} apply",
                              counterexample={"rows": str(len(mine))})
        for r_k, (row, (name, coef, M)) in enumerate(zip(rows, mine)):
            need(row, {"name", "coefficient"}, f"{where}.rows[{r_k}]")
            want = "none" if coef is None else fmt(coef)
            if failure is None and (row["name"] != name or row["coefficient"] != want):
                failure = Verdict(Status.REFUTED, lab, reason=f"row {r_k} stated {str(row['name'])[:50]!r} coefficient "
                                  f"{str(row['coefficient'])[:30]!r}; recomputed {name!r} {want}",
                                  counterexample={"row": name, "coefficient": want})
            dd = _first_diff(Q, M)
            if failure is None and dd is not None:
                failure = Verdict(Status.REFUTED, lab, reason=f"row {name!r} differs from E|F^h-F|^2 at {dd}",
                                  counterexample={"row": name, "i": str(dd[0]), "j": str(dd[1])})
        row_res.append((inst["family"], lab, failure))
    parts.extend(group_parts("variance HT identity", ht_res))
    parts.extend(group_parts("variance row", row_res))
    parts.append(coverage("p = 1..p_max covered", seen_p, set(range(1, p_max + 1))))
    # uniform vs Bernoulli at q = r/p, from both laws
    ub_bad: list[str] = []
    ubs = need_list(w["uniform_vs_bernoulli"], "witness.uniform_vs_bernoulli", 200)
    for k, item in enumerate(ubs):
        need(item, {"p", "r"}, f"witness.uniform_vs_bernoulli[{k}]")
        p = rx.parse_int(item["p"], "p", 2, min(p_max, 10))
        r = rx.parse_int(item["r"], "r", 1, p - 1)
        qb = _q_of(p, rx.law_of_spec({"scheme": "bernoulli", "p": str(p), "q": fmt(Fraction(r, p))}))
        qu = _q_of(p, rx.law_of_spec({"scheme": "uniform", "p": str(p), "r": str(r)}))
        c = Fraction(p - r, r * (p - 1))
        target = [[c * (1 - int(i == j)) for j in range(p)] for i in range(p)]  # c (J - I)
        diff = [[qb[i][j] - qu[i][j] for j in range(p)] for i in range(p)]
        if _first_diff(diff, target) is not None:
            ub_bad.append(f"p={p}, r={r}")
    parts.append(coverage("uniform vs bernoulli: all (p, r) covered",
                          {(int(i["p"]), int(i["r"])) for i in ubs},
                          {(p, r) for p in range(2, p_max + 1) for r in range(1, p)}))
    parts.append(Verdict(Status.HOLDS, "uniform vs bernoulli (q = r/p)",
                         evidence=f"Var_B - Var_U = (p-r)/(r(p-1)) (|F|^2 - sum|f_i|^2) for {len(ubs)} (p, r) pairs")
                 if not ub_bad else Verdict(Status.REFUTED, "uniform vs bernoulli (q = r/p)",
                                            reason=f"fails at {ub_bad[0]}", counterexample={"at": ub_bad[0]}))
    # neither dominates: p = 2, r = 1, f = (1, 1) and (1, -1), exact
    qb = _q_of(2, rx.law_of_spec({"scheme": "bernoulli", "p": "2", "q": "1/2"}))
    qu = _q_of(2, rx.law_of_spec({"scheme": "uniform", "p": "2", "r": "1"}))

    def form(Q: rx.Matrix, f: tuple[int, int]) -> Fraction:
        return sum((Q[i][j] * f[i] * f[j] for i in range(2) for j in range(2)), Fraction(0))

    a, b = (form(qu, (1, 1)), form(qb, (1, 1))), (form(qb, (1, -1)), form(qu, (1, -1)))
    ok = a[0] < a[1] and b[0] < b[1]
    parts.append(Verdict(Status.HOLDS if ok else Status.REFUTED, "neither scheme dominates",
                         evidence=f"p=2, r=1, q=1/2: f=(1,1) Var_U={fmt(a[0])} < Var_B={fmt(a[1])}; "
                                  f"f=(1,-1) Var_B={fmt(b[0])} < Var_U={fmt(b[1])}",
                         reason="" if ok else "example does not separate",
                         counterexample=None if ok else {"values": f"{a} {b}"}))
    # partition averages
    avs = need_list(w["partition_average"], "witness.partition_average", 200)
    av_bad: list[str] = []
    total_parts = 0
    for k, item in enumerate(avs):
        need(item, {"p", "r", "count"}, f"witness.partition_average[{k}]")
        p = rx.parse_int(item["p"], "p", 1, min(p_max, 10))
        r = rx.parse_int(item["r"], "r", 1, p)
        if p % r:
            raise InvalidCertificate(f"witness.partition_average[{k}]: r does not divide p")
        n = p // r
        acc = [[Fraction(0)] * p for _ in range(p)]
        count = 0
        for blocks in rx.balanced_partitions(p, r):
            count += 1
            law = [(frozenset(b), Fraction(1, n)) for b in blocks]
            Qp = _q_of(p, law)
            for i in range(p):
                for j in range(p):
                    acc[i][j] += Qp[i][j]
        total_parts += count
        formula = math.factorial(p) // (math.factorial(r) ** n * math.factorial(n))
        mean = [[v / count for v in row] for row in acc]
        qu = _q_of(p, rx.law_of_spec({"scheme": "uniform", "p": str(p), "r": str(r)}))
        if item["count"] != str(count) or count != formula or _first_diff(mean, qu) is not None:
            av_bad.append(f"p={p}, r={r} (enumerated {count}, formula {formula}, stated {str(item['count'])[:12]})")
    parts.append(coverage("partition averages: all (p, r) covered",
                          {(int(i["p"]), int(i["r"])) for i in avs},
                          {(p, r) for p in range(1, p_max + 1) for r in range(1, p + 1) if p % r == 0}))
    parts.append(Verdict(Status.HOLDS, "balanced-partition average == uniform",
                         evidence=f"{len(avs)} (p, r) pairs, {total_parts} partitions enumerated, exact")
                 if not av_bad else Verdict(Status.REFUTED, "balanced-partition average == uniform",
                                            reason=f"fails at {av_bad[0]}", counterexample={"at": av_bad[0]}))
    return Verdict.combine(ID, parts, cert.admitted)


def _quick() -> Certificate:
    return certify(QUICK_P_MAX, d=1)


def _full() -> Certificate:
    return certify(DEFAULT_P_MAX, d=2)


CLAIM = Claim(
    id=ID,
    statement=STATEMENT,
    paper_part="Paper 2, comparison of batch schemes",
    certify=certify,
    check=check,
    depends_on=("P2.unbiasedness",),
    quick=_quick,
    full=_full,
)
