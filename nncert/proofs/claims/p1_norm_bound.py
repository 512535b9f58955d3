"""Claim (paper 1, uniform parameter-norm bounds): the explicit width-2 peel network theta* has
``||theta*||^2 <= B`` with the explicit bound of ``docs/norm_bound.md`` (and ``B <= B_N``, the form
that uses only N instead of the number of layers).

``certify`` builds the peel network (untrusted) and states its exact norm and both bounds.
``check`` (trusted: core, data, :mod:`nncert.verify.exact`, :mod:`nncert.verify.norms` and the few
lines below, which recompute the bound *independently* of ``nncert/constructions/memorize_bounds.py``)
reads u and s from the network's first layer, recomputes ``z_i = u.x_i + s``, Z, delta, the label
runs along z and the bound from the data, recomputes ``||theta*||^2`` exactly, and checks that the
network classifies every point exactly and has width 2.
"""

from __future__ import annotations

import time
from fractions import Fraction
from typing import Any, Sequence

from nncert.core import Certificate, Network, Status, Verdict, fmt
from nncert.data import Dataset
from nncert.errors import InvalidCertificate
from nncert.proofs import Claim
from nncert.verify.exact import check_classification
from nncert.verify.norms import norms

ID = "P1.memorization.norm_bound"
STATEMENT = "the explicit construction has parameter norm ||theta*||^2 <= B(N, M, data)"
PARAM_KEYS = ("N", "M", "d", "depth", "sum_squares_ceil", "max_abs", "B", "B_N")


def certify(data: Dataset, *, seed: int = 0, embed: bool = True) -> Certificate:
    """Build the peel network, compute its exact norm and the explicit bound (untrusted)."""
    from nncert.constructions.memorize import peel
    from nncert.constructions.memorize_bounds import norm_bound

    t0 = time.perf_counter()
    res = peel(data, seed=seed)
    nb = norm_bound(res)
    rep = norms(res.network)
    params = {
        "N": str(data.n), "M": str(data.m), "d": str(data.d), "depth": str(res.network.depth),
        "sum_squares_ceil": str(_ceil(rep.sum_squares)), "max_abs": fmt(rep.max_abs), "B": fmt(nb.bound),
        "B_N": fmt(nb.bound_generic),
    }
    witness = {
        "data": data.canonical_json() if embed else None,
        "data_sha256": data.sha256(),
        "network": res.network.to_json(),
    }
    checked_by = {
        "bound_parts": nb.to_json(),
        "norms": rep.to_json(),
        "ratio_B_over_norm": f"{float(nb.bound / rep.sum_squares):.4g}" if rep.sum_squares else "inf",
        "construction": {"direction": [str(v) for v in res.direction], "shift": fmt(res.shift), "seed": str(seed)},
    }
    return Certificate(ID, params, witness, (), checked_by, {"certify": f"{time.perf_counter() - t0:.3f}"})


def _ceil(v: Fraction) -> int:
    """Exact ceiling (the exact sum of squares of a deep network can have more digits than text allows)."""
    return -((-v.numerator) // v.denominator)


def _bound(u: Sequence[Fraction], s: Fraction, data: Dataset) -> tuple[Fraction, Fraction, int, str]:
    """(B, B_N, L, problem) recomputed from the data; problem != "" if z has ties."""
    if len(set(data.labels)) == 1:  # one class: the all-zero network, B = 0
        return Fraction(0), Fraction(0), 0, ""
    z = [sum((a * b for a, b in zip(u, p)), s) for p in data.points]
    pairs = sorted(zip(z, data.labels))
    if any(a[0] == b[0] for a, b in zip(pairs, pairs[1:])):
        return Fraction(0), Fraction(0), 0, "two points have the same projection u.x + s"
    runs: list[int] = []
    for k, (_, lab) in enumerate(pairs):
        if k and pairs[k - 1][1] == lab:
            runs[-1] += 1
        else:
            runs.append(1)
    if len(runs) == 1:
        return Fraction(0), Fraction(0), 0, ""
    r1 = sum(1 for r in runs if r == 1)
    r2 = len(runs) - r1
    big_z = pairs[-1][0]
    gaps = [b[0] - a[0] for a, b in zip(pairs, pairs[1:])]
    d0 = min(min(gaps), Fraction(1))
    q = big_z ** 2 / d0 ** 2
    uu = sum((a * a for a in u), Fraction(0))
    n = data.n
    layers = r1 + 2 * r2
    common = 2 * uu + s ** 2 + (abs(s) + big_z) ** 2 + 1
    return (common + (layers - 1) * (2 + big_z ** 2) + 2 * (4 * r1 * q + r2 * (1 + 16 * q)),
            common + (n - 1) * (2 + big_z ** 2) + n * (1 + 16 * q), layers, "")


def check(cert: Certificate, *, data: Dataset | None = None, **_: Any) -> Verdict:
    """Trusted re-check (no construction code, no solver)."""
    w, p = cert.witness, cert.params
    if set(w) != {"data", "data_sha256", "network"}:
        raise InvalidCertificate(f"{ID}: witness must have exactly data, data_sha256, network")
    if set(p) != set(PARAM_KEYS) or not all(isinstance(v, str) for v in p.values()):
        raise InvalidCertificate(f"{ID}: params must be exactly {list(PARAM_KEYS)} as strings")
    embedded = Dataset.from_canonical_json(w["data"], "witness.data") if w["data"] is not None else None
    if embedded is None and data is None:
        raise InvalidCertificate("the certificate does not embed its data; pass the data set with --data")
    ds = embedded if embedded is not None else data
    assert ds is not None
    parts: list[Verdict] = []
    ok = ds.sha256() == w["data_sha256"] and (data is None or data.sha256() == w["data_sha256"])
    parts.append(Verdict(Status.HOLDS, "data", evidence="matches its sha256") if ok else
                 Verdict(Status.REFUTED, "data", reason="data does not match the recorded sha256",
                         counterexample={"data_sha256": str(w["data_sha256"])[:64]}))
    net = Network.from_json(w["network"], "witness.network")
    if net.input_dim != ds.d or not net.widths or any(x != 2 for x in net.widths):
        parts.append(Verdict(Status.REFUTED, "shape", reason=f"need width 2 and {ds.d} inputs; widths {list(net.widths)}",
                             counterexample={"widths": str(list(net.widths))[:200]}))
        return Verdict.combine(ID, parts, cert.admitted)
    parts.append(check_classification(net, ds.points, ds.labels).verdict)
    u, s = net.weights[0][0], net.biases[0][0]
    big_b, big_bn, layers, problem = _bound(u, s, ds)
    rep = norms(net)
    actual = {"N": str(ds.n), "M": str(ds.m), "d": str(ds.d), "depth": str(net.depth),
              "sum_squares_ceil": str(_ceil(rep.sum_squares)), "max_abs": fmt(rep.max_abs), "B": fmt(big_b), "B_N": fmt(big_bn)}
    if problem:
        parts.append(Verdict(Status.REFUTED, "projection", reason=problem, counterexample={"u": str([fmt(v) for v in u])[:200]}))
    wrong = [k for k in PARAM_KEYS if p[k] != actual[k]]
    parts.append(Verdict(Status.HOLDS, "stated values", evidence="N, M, d, depth, ||theta||^2, B, B_N recomputed")
                 if not wrong else
                 Verdict(Status.REFUTED, "stated values",
                         reason=", ".join(f"{k} stated {p[k][:40]!r} but is {actual[k][:40]}" for k in wrong),
                         counterexample={k: actual[k] for k in wrong}))
    if not problem:
        parts.append(Verdict(Status.HOLDS, "depth = peel cost", evidence=f"{net.depth} hidden layers = r1 + 2 r2")
                     if layers == net.depth or (layers == 0 and ds.m >= 1 and rep.sum_squares == 0) else
                     Verdict(Status.REFUTED, "depth = peel cost", reason=f"depth {net.depth} but r1 + 2 r2 = {layers}",
                             counterexample={"depth": str(net.depth)}))
        holds = rep.sum_squares <= big_b <= big_bn
        parts.append(Verdict(Status.HOLDS, "||theta*||^2 <= B <= B_N",
                             evidence=f"{float(rep.sum_squares):.4g} <= {float(big_b):.4g} <= {float(big_bn):.4g} (exact)")
                     if holds else
                     Verdict(Status.REFUTED, "||theta*||^2 <= B <= B_N", reason="bound violated",
                             counterexample={"sum_squares_ceil": str(_ceil(rep.sum_squares)), "B": fmt(big_b)[:200]}))
    return Verdict.combine(ID, parts, cert.admitted)


def _quick() -> Certificate:
    from nncert.data import load_bundled

    return certify(load_bundled("iris"))


def _full() -> Certificate:
    from nncert.data import load_bundled

    return certify(load_bundled("digits"))


CLAIM = Claim(
    id=ID,
    statement=STATEMENT,
    paper_part="Paper 1, uniform parameter-norm bounds of the explicit construction",
    certify=certify,
    check=check,
    depends_on=("P1.memorization.width2_depth",),
    quick=_quick,
    full=_full,
)
