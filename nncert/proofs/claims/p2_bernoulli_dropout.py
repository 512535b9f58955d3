"""Claim (paper 2): Bernoulli(q) batches give inverted dropout with drop probability ``1 - q``.

Estimator level (this module): with ``pi_i = q``, the HT field ``sum_{i in B} f_i / pi_i`` equals
inverted dropout ``(1/(1 - drop)) sum_i m_i f_i`` with ``drop = 1 - q`` under the same mask
``m = 1_B``, exactly. The dynamics level (explicit Euler with ``h = dt`` is a residual network with
standard dropout on its hidden units) belongs to the neural-ODE integrators (issue 6) and is *not*
covered by this certificate; the verdict says so in its evidence.

``certify`` (untrusted) evaluates both sides with :mod:`nncert.constructions.estimators` on exact
random contributions for every mask of a small ``p`` and a few ``q``.

``check`` (trusted, Fractions only): for each ``(p, q)``: re-enumerates the Bernoulli law, derives
``pi_i = q`` from it, so the HT weights ``1/pi_i`` equal the dropout scale ``1/(1 - drop)`` for every
``i`` (which proves the identity for every ``f`` and every mask); then recomputes both sides at the
stated contributions for every listed mask, requires all ``2^p`` masks, and compares with the stated
values.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from nncert.core import Certificate, Status, Verdict, fmt, parse_exact
from nncert.errors import InvalidArgument, InvalidCertificate
from nncert.proofs import Claim
from nncert.proofs.claims._p2_est_common import exact_matrix, need, need_list, str_list
from nncert.verify import rbm_exact as rx

ID = "P2.bernoulli_dropout"
STATEMENT = ("Bernoulli(q) batches give inverted dropout with drop probability 1-q (estimator level, and Euler h = dt "
             "is a residual network with dropout)")
DYNAMICS_NOTE = ("dynamics part (Euler h = dt is a residual network with dropout) is not in this certificate: "
                 "it is checked with the neural-ODE integrators (issue 6, claim P2.bernoulli_dropout.residual)")


def certify(p: int = 4, qs: tuple[object, ...] = ("1/3", "1/2", "4/5"), d: int = 2, seed: int = 0) -> Certificate:
    """Both sides on every mask of ``p`` neurons for each ``q`` in ``qs``; exact random contributions."""
    import numpy as np

    from nncert.constructions.batches import Bernoulli
    from nncert.constructions.estimators import ht_exact, inverted_dropout

    if isinstance(p, bool) or not isinstance(p, int) or not 1 <= p <= 8:
        raise InvalidArgument(f"p must be an integer in 1..8 but got p={p!r}")
    rng = np.random.default_rng(seed)
    f = [[Fraction(int(rng.integers(-9, 10)), int(rng.integers(1, 8))) for _ in range(d)] for _ in range(p)]
    cases = []
    for q_text in qs:
        s = Bernoulli(p, q_text)
        weights = [1 / v for v in s.pi()]
        rows = []
        for bits in range(2**p):
            mask = [bool(bits >> i & 1) for i in range(p)]
            batch = [i for i in range(p) if mask[i]]
            ht = ht_exact(f, batch, weights)
            # inverted dropout applied to each component's per-neuron contributions, then summed
            drop = [inverted_dropout([f[i][k] for i in range(p)], mask, 1 - s.q) for k in range(d)]
            dr = tuple(sum(col, Fraction(0)) for col in drop)
            rows.append({"mask": "".join("1" if m else "0" for m in mask), "ht": [fmt(v) for v in ht],
                         "dropout": [fmt(v) for v in dr]})
        cases.append({"q": fmt(s.q), "drop": fmt(1 - s.q), "masks": rows})
    witness = {"f": [[fmt(v) for v in row] for row in f], "cases": cases}
    params = {"p": str(p), "d": str(d), "cases": str(len(cases))}
    checked_by = {"construction": {"seed": str(seed), "contributions": "integers -9..9 over 1..7, numpy default_rng"},
                  "scope": DYNAMICS_NOTE}
    return Certificate(ID, params, witness, (), checked_by, {})


def check(cert: Certificate, **_: Any) -> Verdict:
    """Trusted exact re-check (see the module docstring)."""
    P = need(cert.params, {"p", "d", "cases"}, "params")
    W = need(cert.witness, {"f", "cases"}, "witness")
    p = rx.parse_int(P["p"], "params.p", 1, 10)
    d = rx.parse_int(P["d"], "params.d", 1, 16)
    f = exact_matrix(W["f"], "witness.f", p, d)
    cases = need_list(W["cases"], "witness.cases", 50)
    parts: list[Verdict] = []
    if P["cases"] != str(len(cases)):
        parts.append(Verdict(Status.REFUTED, "params.cases", reason="count differs",
                             counterexample={"cases": str(len(cases))}))
    for k, case in enumerate(cases):
        where = f"witness.cases[{k}]"
        need(case, {"q", "drop", "masks"}, where)
        q = parse_exact(case["q"], f"{where}.q")
        drop = parse_exact(case["drop"], f"{where}.drop")
        if not 0 < q <= 1:
            raise InvalidCertificate(f"{where}.q must be in (0, 1]")
        name = f"HT == inverted dropout (q={fmt(q)}, p={p})"
        if drop != 1 - q:
            parts.append(Verdict(Status.REFUTED, name, reason=f"drop {fmt(drop)} != 1 - q",
                                 counterexample={"drop": fmt(drop)}))
            continue
        pis = rx.inclusion(p, rx.law_of_spec({"scheme": "bernoulli", "p": str(p), "q": fmt(q)}))
        scale = 1 / (1 - drop)
        bad_w = [i for i in range(p) if 1 / pis[i] != scale]
        masks = need_list(case["masks"], f"{where}.masks", 1 << p)
        seen = set()
        failure = None
        for m_k, row in enumerate(masks):
            need(row, {"mask", "ht", "dropout"}, f"{where}.masks[{m_k}]")
            mask = row["mask"]
            if not isinstance(mask, str) or len(mask) != p or set(mask) - {"0", "1"}:
                raise InvalidCertificate(f"{where}.masks[{m_k}].mask: expected {p} characters 0/1")
            seen.add(mask)
            batch = [i for i in range(p) if mask[i] == "1"]
            ht = [sum((f[i][c] / pis[i] for i in batch), Fraction(0)) for c in range(d)]
            dr = [sum((f[i][c] * scale for i in batch), Fraction(0)) for c in range(d)]
            st_ht = str_list(row["ht"], f"{where}.masks[{m_k}].ht")
            st_dr = str_list(row["dropout"], f"{where}.masks[{m_k}].dropout")
            if failure is None and (ht != dr or st_ht != [fmt(v) for v in ht] or st_dr != [fmt(v) for v in dr]):
                failure = Verdict(Status.REFUTED, name, reason=f"mask {mask}: HT {','.join(fmt(v) for v in ht)} vs "
                                  f"dropout {','.join(fmt(v) for v in dr)} (stated {','.join(st_ht)[:60]} / "
                                  f"{','.join(st_dr)[:60]})", counterexample={"mask": mask})
        if bad_w:
            parts.append(Verdict(Status.REFUTED, name, reason=f"1/pi_{bad_w[0]} != 1/(1-drop)",
                                 counterexample={"i": str(bad_w[0])}))
        elif failure is not None:
            parts.append(failure)
        elif len(seen) != 2**p:
            parts.append(Verdict(Status.REFUTED, name, reason=f"only {len(seen)} of {2 ** p} masks listed",
                                 counterexample={"masks": str(len(seen))}))
        else:
            parts.append(Verdict(Status.HOLDS, name, evidence=f"1/pi_i = 1/(1-drop) = {fmt(scale)} for all i (law "
                                 f"re-enumerated); both sides equal at all {2 ** p} masks (exact)"))
    verdict = Verdict.combine(ID, parts, cert.admitted)
    if verdict.holds:
        return Verdict(verdict.status, ID, evidence=verdict.evidence + f"; estimator level only ({DYNAMICS_NOTE})",
                       admitted=verdict.admitted, parts=verdict.parts + (
                           Verdict(Status.HOLDS, "note: scope", evidence="estimator level only; " + DYNAMICS_NOTE),))
    return verdict


def _quick() -> Certificate:
    return certify()


CLAIM = Claim(
    id=ID,
    statement=STATEMENT,
    paper_part="Paper 2, Bernoulli dropout as a special case",
    certify=certify,
    check=check,
    depends_on=("P2.unbiasedness",),
    quick=_quick,
    full=_quick,
)
