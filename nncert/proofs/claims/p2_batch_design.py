"""Claim (paper 2): batch design -- Lambda orders balanced partitions: optimal <= random average = uniform <= adversarial.

Data: contributions ``f`` of shape ``(T, N, p, d)`` along trajectories on a time grid ``t``
(default: seeded N(0, 1) of shape (5, 3, 6, 2) on ``linspace(0, 1, 5)``); floats are converted
exactly (``Fraction(float)``). ``G`` is the centred Gram matrix, ``H`` the uncentred one
(:mod:`nncert.verify.rbm_design`).

``certify`` (untrusted): exact optimal/adversarial partitions by enumeration, cross-checked by an exact
ILP (scipy ``milp``); Lambda of Bernoulli(1/3), uniform r = 2, 3 and the partition {01,23,45} four ways
(analytic row, exact enumeration of the law, general HT formula, Monte Carlo) -- the Monte Carlo
z-scores are recorded and ``admitted``.

``check`` (trusted, Fractions only): recomputes ``G`` and ``H`` exactly from the embedded data with its
own trapezoid code, re-enumerates every balanced partition (count checked against
``p!/((r!)^n n!)``), recomputes the minimum, maximum and mean of Lambda and compares them with the stated
values and partitions, checks ``mean == p(p-r)/(r(p-1)) tr G`` exactly and the order, and recomputes
the analytic and general-HT Lambda of every listed scheme exactly (they must agree with each other and
with the stated value).
"""

from __future__ import annotations

import math
import time
from fractions import Fraction
from typing import Any

from nncert.core import Certificate, Status, Verdict, fmt, parse_exact
from nncert.errors import InvalidArgument, InvalidCertificate
from nncert.proofs import Claim
from nncert.proofs.claims._p2_est_common import label, need, need_list, str_list
from nncert.verify import rbm_exact as rx

ID = "P2.batch_design"
STATEMENT = ("batch design: the integrated variance Lambda orders partitions (optimal < random average = uniform < "
             "adversarial)")
MAX_VALUES = 20000


def default_contributions(seed: int = 0) -> tuple[Any, Any]:
    """Seeded N(0, 1) contributions of shape (time 5, data 3, neurons 6, dim 2) and ``t = linspace(0, 1, 5)``."""
    import numpy as np

    rng = np.random.default_rng(seed)
    return rng.standard_normal((5, 3, 6, 2)), np.linspace(0.0, 1.0, 5)


def default_schemes(p: int) -> list[Any]:
    """Bernoulli(1/3), uniform r = 2 and 3, partition {01,23,45} (the acceptance set; p = 6)."""
    from nncert.constructions.batches import Bernoulli, Partition, Uniform

    out = [Bernoulli(p, Fraction(1, 3)), Uniform(p, 2)]
    if p >= 3:
        out.append(Uniform(p, 3))
    if p % 2 == 0:
        out.append(Partition([[i, i + 1] for i in range(0, p, 2)]))
    return out


def lambda_four_ways(scheme: Any, f: Any, t: Any, rng: Any, draws: int = 20000,
                     G: Any = None, H: Any = None) -> dict[str, Any]:
    """Lambda of ``scheme`` four ways: analytic row (exact), exact law enumeration (float64 sum over the
    law), general HT formula (exact), Monte Carlo (``draws`` masks from ``rng``; z-test)."""
    import numpy as np

    from nncert.verify import rbm_design as rd
    from nncert.verify.rbm_stats import integrated_sq_errors, z_test

    F, tt = rd.check_contributions(f, t)
    G = rd.gram_exact(F, tt, centred=True) if G is None else G
    H = rd.gram_exact(F, tt, centred=False) if H is None else H
    p = F.shape[2]
    spec = scheme.spec()
    kind = spec["scheme"]
    if kind == "bernoulli":
        analytic = rd.lambda_bernoulli_exact(H, scheme.q)
    elif kind == "uniform":
        analytic = rd.lambda_uniform_exact(G, scheme.r)
    elif kind == "partition" and scheme.balanced:
        analytic = rd.lambda_partition_exact(G, scheme.blocks)
    elif kind == "full":
        analytic = Fraction(0)
    else:
        analytic = None
    pis = list(scheme.pi())
    ht = rd.lambda_ht_exact(H, pis, scheme.pi_matrix())
    law = scheme.enumerate_law()
    masks = np.zeros((len(law), p), dtype=bool)
    for k, (b, _) in enumerate(law):
        masks[k, sorted(b)] = True
    probs = np.array([float(q) for _, q in law])
    per = integrated_sq_errors(F, tt, masks, [float(v) for v in pis])
    enum = float(probs @ per)
    mc_masks = scheme.sample_many(rng, draws)
    z = z_test(integrated_sq_errors(F, tt, mc_masks, [float(v) for v in pis]), float(ht))
    return {"scheme": label(spec), "analytic": analytic, "enumeration": enum, "ht": ht, "monte_carlo": z}


def certify(f: Any = None, t: Any = None, rs: tuple[int, ...] = (2, 3), *, seed: int = 0, draws: int = 20000,
            ilp: bool = True, mc: bool = True) -> Certificate:
    """Certificate for the design claim on ``f`` (default: :func:`default_contributions`)."""
    import numpy as np

    from nncert.constructions.batch_design import enumerate_extremes, ilp_extreme
    from nncert.verify import rbm_design as rd

    if f is None:
        f, t0_ = default_contributions(seed)
        t = t0_ if t is None else t
    F, tt = rd.check_contributions(f, t)
    T, N, p, d = F.shape
    if F.size > MAX_VALUES:
        raise InvalidArgument(f"contributions have {F.size} values; the design certificate embeds at most {MAX_VALUES}")
    if p > 10:
        raise InvalidArgument(f"p={p}: exact design certificates need p <= 10 (use 'nncert rbm design' for larger p)")
    timings: dict[str, str] = {}
    t0 = time.perf_counter()
    G = rd.gram_exact(F, tt, centred=True)
    H = rd.gram_exact(F, tt, centred=False)
    timings["gram"] = f"{time.perf_counter() - t0:.3f}"
    designs = []
    checked_by: dict[str, Any] = {}
    ilp_notes = []
    for r in rs:
        if not isinstance(r, int) or r < 1 or p % r:
            raise InvalidArgument(f"r={r!r} must be a positive divisor of p={p}")
        n = p // r
        t1 = time.perf_counter()
        res = enumerate_extremes(G, r)
        mean = sum((rd.partition_objective_exact(G, P) for P in _parts(p, r)), Fraction(0)) / res["count"]
        timings[f"enumerate_r{r}"] = f"{time.perf_counter() - t1:.3f}"
        designs.append({"r": str(r), "count": str(res["count"]),
                        "optimal": [[str(i) for i in b] for b in res["min_blocks"]],
                        "adversarial": [[str(i) for i in b] for b in res["max_blocks"]],
                        "lambda_opt": fmt(n * res["min_value"]), "lambda_adv": fmt(n * res["max_value"]),
                        "lambda_mean": fmt(n * mean), "lambda_uniform": fmt(rd.lambda_uniform_exact(G, r))})
        if ilp:
            Gf = np.array([[float(v) for v in row] for row in G])
            lo, hi = ilp_extreme(Gf, r), ilp_extreme(Gf, r, maximize=True)
            same = (rd.partition_objective_exact(G, lo) == res["min_value"],
                    rd.partition_objective_exact(G, hi) == res["max_value"])
            ilp_notes.append(f"r={r}: ILP optimum {'matches' if same[0] else 'DIFFERS from'} enumeration, "
                             f"ILP adversarial {'matches' if same[1] else 'DIFFERS from'} enumeration")
    if ilp:
        checked_by["ilp"] = ilp_notes
    schemes = []
    admitted: list[str] = []
    rng = np.random.default_rng(seed + 1)
    four = []
    for s in default_schemes(p):
        t2 = time.perf_counter()
        res4 = lambda_four_ways(s, F, tt, rng, draws if mc else 2, G=G, H=H)
        timings[f"four_ways {s.name}"] = f"{time.perf_counter() - t2:.3f}"
        ht = res4["ht"]
        rel = abs(res4["enumeration"] - float(ht)) / max(abs(float(ht)), 1e-300)
        four.append({"scheme": res4["scheme"],
                     "analytic": "n/a" if res4["analytic"] is None else repr(float(res4["analytic"])),
                     "analytic_equals_ht_exactly": str(res4["analytic"] == ht),
                     "enumeration": repr(res4["enumeration"]), "enumeration_rel_diff": f"{rel:.2e}",
                     "ht": repr(float(ht)), "monte_carlo_mean": repr(res4["monte_carlo"]["mean"]),
                     "monte_carlo_z": f"{res4['monte_carlo']['z']:+.3f}", "draws": str(res4["monte_carlo"]["n"])})
        schemes.append({"scheme": s.spec(), "lambda": fmt(ht)})
    checked_by["four_ways"] = four
    checked_by["seed"] = str(seed)
    if mc:
        from nncert.verify.rbm_stats import ADMITTED

        admitted.append(ADMITTED + f" (Monte Carlo Lambda, {draws} draws per scheme, seed {seed + 1})")
    witness = {"t": [fmt(Fraction(float(x))) for x in tt],
               "contributions": [[[[fmt(Fraction(float(v))) for v in F[a, b, i]] for i in range(p)]
                                  for b in range(N)] for a in range(T)],
               "designs": designs, "schemes": schemes}
    params = {"T": str(T), "N": str(N), "p": str(p), "d": str(d), "r_values": ",".join(str(r) for r in rs)}
    return Certificate(ID, params, witness, tuple(admitted), checked_by, timings)


def _parts(p: int, r: int) -> Any:
    from nncert.constructions.batch_design import all_balanced_partitions

    return all_balanced_partitions(p, r)


# ---- trusted ------------------------------------------------------------------------------------

def _grams(data: list, t: list[Fraction]) -> tuple[list[list[Fraction]], list[list[Fraction]]]:
    T, N, p, d = len(data), len(data[0]), len(data[0][0]), len(data[0][0][0])
    w = [Fraction(0)] * T
    if T == 1:
        w = [Fraction(1)]
    for j in range(T - 1):
        w[j] += (t[j + 1] - t[j]) / 2
        w[j + 1] += (t[j + 1] - t[j]) / 2
    G = [[Fraction(0)] * p for _ in range(p)]
    H = [[Fraction(0)] * p for _ in range(p)]
    for j in range(T):
        for m in range(N):
            f = data[j][m]
            Fm = [sum((f[i][k] for i in range(p)), Fraction(0)) for k in range(d)]
            g = [[f[i][k] - Fm[k] / p for k in range(d)] for i in range(p)]
            s = w[j] / N
            for i in range(p):
                for l in range(p):
                    H[i][l] += s * sum((f[i][k] * f[l][k] for k in range(d)), Fraction(0))
                    G[i][l] += s * sum((g[i][k] * g[l][k] for k in range(d)), Fraction(0))
    return G, H


def check(cert: Certificate, **_: Any) -> Verdict:
    """Trusted exact re-check (see the module docstring)."""
    P = need(cert.params, {"T", "N", "p", "d", "r_values"}, "params")
    W = need(cert.witness, {"t", "contributions", "designs", "schemes"}, "witness")
    T = rx.parse_int(P["T"], "params.T", 1, MAX_VALUES)
    N = rx.parse_int(P["N"], "params.N", 1, MAX_VALUES)
    p = rx.parse_int(P["p"], "params.p", 1, 10)
    d = rx.parse_int(P["d"], "params.d", 1, MAX_VALUES)
    if T * N * p * d > MAX_VALUES:
        raise InvalidCertificate("contributions too large")
    t = [parse_exact(x, "witness.t") for x in str_list(W["t"], "witness.t")]
    if len(t) != T or any(b <= a for a, b in zip(t, t[1:])):
        raise InvalidCertificate("witness.t: expected T strictly increasing times")
    raw = need_list(W["contributions"], "witness.contributions", T)
    if len(raw) != T:
        raise InvalidCertificate("witness.contributions: expected T time slices")
    data = []
    for a, sl in enumerate(raw):
        sl = need_list(sl, "witness.contributions[.]", N)
        if len(sl) != N:
            raise InvalidCertificate(f"witness.contributions[{a}]: expected N points")
        pts = []
        for b, pt in enumerate(sl):
            pt = need_list(pt, "witness.contributions[.][.]", p)
            if len(pt) != p:
                raise InvalidCertificate(f"witness.contributions[{a}][{b}]: expected p neurons")
            rows = [[parse_exact(v, "witness.contributions") for v in str_list(row, "witness.contributions")]
                    for row in pt]
            if any(len(row) != d for row in rows):
                raise InvalidCertificate(f"witness.contributions[{a}][{b}]: expected d components")
            pts.append(rows)
        data.append(pts)
    G, H = _grams(data, t)
    parts: list[Verdict] = []
    designs = need_list(W["designs"], "witness.designs", 20)
    rs = [str(need(dz, {"r", "count", "optimal", "adversarial", "lambda_opt", "lambda_adv", "lambda_mean",
                        "lambda_uniform"}, "witness.designs[.]")["r"]) for dz in designs]
    if ",".join(rs) != P["r_values"]:
        raise InvalidCertificate("params.r_values does not match witness.designs")
    for k, dz in enumerate(designs):
        where = f"witness.designs[{k}]"
        r = rx.parse_int(dz["r"], f"{where}.r", 1, p)
        if p % r:
            raise InvalidCertificate(f"{where}.r does not divide p")
        n = p // r
        vals = []
        for blocks in rx.balanced_partitions(p, r):
            vals.append(n * sum((G[i][j] for b in blocks for i in b for j in b), Fraction(0)))
        formula = math.factorial(p) // (math.factorial(r) ** n * math.factorial(n))
        lo, hi, mean = min(vals), max(vals), sum(vals, Fraction(0)) / len(vals)
        uni = Fraction(0) if r == p else Fraction(p * (p - r), r * (p - 1)) * sum((G[i][i] for i in range(p)), Fraction(0))
        name = f"design r={r} (p={p})"
        problems = []
        if len(vals) != formula or dz["count"] != str(len(vals)):
            problems.append(f"count: enumerated {len(vals)}, formula {formula}, stated {str(dz['count'])[:12]}")
        for key, want in (("lambda_opt", lo), ("lambda_adv", hi), ("lambda_mean", mean), ("lambda_uniform", uni)):
            if dz[key] != fmt(want):
                problems.append(f"{key} stated {str(dz[key])[:30]} but is {float(want):.6g}")
        for key, want in (("optimal", lo), ("adversarial", hi)):
            spec = {"scheme": "partition", "p": str(p), "blocks": dz[key]}
            blocks = rx.parse_spec(spec, f"{where}.{key}")["blocks"]
            if any(len(b) != r for b in blocks):
                problems.append(f"{key} partition is not balanced with blocks of {r}")
            elif n * sum((G[i][j] for b in blocks for i in b for j in b), Fraction(0)) != want:
                problems.append(f"{key} partition does not attain the {'minimum' if key == 'optimal' else 'maximum'}")
        if mean != uni:
            problems.append("mean over balanced partitions != uniform Lambda")
        if not lo <= mean <= hi:
            problems.append("order optimal <= mean <= adversarial fails")
        if problems:
            parts.append(Verdict(Status.REFUTED, name, reason="; ".join(problems)[:400],
                                 counterexample={"first": problems[0][:200]}))
        else:
            strict = "<" if lo < mean < hi else "<="
            parts.append(Verdict(Status.HOLDS, name, evidence=f"{len(vals)} partitions: optimal {float(lo):.6g} {strict} "
                                 f"mean = uniform {float(mean):.6g} (exact) {strict} adversarial {float(hi):.6g}"))
    schemes = need_list(W["schemes"], "witness.schemes", 20)
    bad = []
    for k, item in enumerate(schemes):
        need(item, {"scheme", "lambda"}, f"witness.schemes[{k}]")
        spec = item["scheme"]
        law = rx.law_of_spec(spec, f"witness.schemes[{k}].scheme")
        sp = rx.parse_spec(spec)
        if sp["p"] != p:
            raise InvalidCertificate(f"witness.schemes[{k}]: p differs from the data")
        pis, pij = rx.inclusion(p, law), rx.pair_inclusion(p, law)
        ht = sum(((pij[i][j] / (pis[i] * pis[j]) - 1) * H[i][j] for i in range(p) for j in range(p)), Fraction(0))
        enum = Fraction(0)  # direct enumeration: E int mean |F^h - F|^2 = sum_B P(B) a(B)^T H a(B)
        for b, q in law:
            a = [(1 / pis[i] if i in b else 0) - 1 for i in range(p)]
            enum += q * sum((a[i] * a[j] * H[i][j] for i in range(p) for j in range(p)), Fraction(0))
        analytic = None
        if sp["scheme"] == "bernoulli":
            analytic = (1 - sp["q"]) / sp["q"] * sum((H[i][i] for i in range(p)), Fraction(0))
        elif sp["scheme"] == "uniform" and sp["r"] < p:
            r = sp["r"]
            analytic = Fraction(p * (p - r), r * (p - 1)) * sum((G[i][i] for i in range(p)), Fraction(0))
        elif sp["scheme"] == "partition" and len({len(b) for b in sp["blocks"]}) == 1:
            analytic = len(sp["blocks"]) * sum((G[i][j] for b in sp["blocks"] for i in b for j in b), Fraction(0))
        if item["lambda"] != fmt(ht) or enum != ht or (analytic is not None and analytic != ht):
            bad.append(label(spec))
    parts.append(Verdict(Status.HOLDS, "Lambda: analytic == enumeration == general HT (exact)",
                         evidence=f"{len(schemes)} schemes, exact Fractions")
                 if not bad else Verdict(Status.REFUTED, "Lambda: analytic == enumeration == general HT (exact)",
                                         reason=f"disagree for {bad[0]}", counterexample={"scheme": bad[0]}))
    return Verdict.combine(ID, parts, cert.admitted)


def _quick() -> Certificate:
    return certify(draws=4000)


def _full() -> Certificate:
    return certify()


CLAIM = Claim(
    id=ID,
    statement=STATEMENT,
    paper_part="Paper 2, batch design",
    certify=certify,
    check=check,
    depends_on=("P2.variance_identities",),
    quick=_quick,
    full=_full,
)
