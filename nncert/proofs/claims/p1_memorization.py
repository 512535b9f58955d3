"""Claim (paper 1, part 1): N distinct points in R^d with M classes are classified exactly by a ReLU
MLP of width 2 and depth at most 2N + 4M - 1 (depth = hidden layers; see ``docs/conventions.md``).

``certify`` builds the peel network (untrusted), checks it with the exact evaluator and with z3,
and records the result. ``check`` (trusted) re-derives every part from the certificate alone:
the data (embedded, or supplied and matched by SHA-256), N and M recomputed from it, the network's
width and depth, and the exact output at every point.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from nncert.core import Certificate, Network, Status, Verdict, fmt
from nncert.data import Dataset
from nncert.errors import InvalidCertificate
from nncert.proofs import Claim
from nncert.verify.exact import check_classification

ID = "P1.memorization.width2_depth"
STATEMENT = "N distinct points, M classes: a width-2 ReLU MLP of depth <= 2N+4M-1 classifies them exactly"
PARAM_KEYS = ("N", "M", "d", "width", "depth", "affine_maps", "depth_bound")


def certify(
    data: Dataset,
    *,
    embed: bool = True,
    z3: bool = True,
    seed: int = 0,
    progress: Callable[[str, float], None] | None = None,
) -> Certificate:
    """Construct, check twice (exact evaluator; z3 on all points or a seeded sample), certify."""
    from nncert.constructions.memorize import peel  # untrusted; imported here only

    timings: dict[str, str] = {}
    t0 = time.perf_counter()
    res = peel(data, seed=seed, progress=progress)
    net = res.network
    timings["construct"] = f"{time.perf_counter() - t0:.3f}"
    t1 = time.perf_counter()
    exact = check_classification(net, data.points, data.labels).verdict
    timings["exact_check"] = f"{time.perf_counter() - t1:.3f}"
    if progress:
        progress("exact check", 0.9)
    checked_by: dict[str, Any] = {
        "exact": f"{exact.status.value}: {exact.evidence or exact.reason}",
        "construction": {
            "method": "peel (docs/memorization.md)",
            "direction": [str(v) for v in res.direction],
            "shift": fmt(res.shift),
            "label_runs": str(res.runs),
            "peel_cost": str(res.peel_cost),
            "candidates_tried": str(res.candidates_tried),
            "seed": str(seed),
        },
        "data_source": data.source,
        "merged_duplicate_rows": [[str(a), str(b)] for a, b in data.merged],
    }
    admitted: list[str] = []
    if z3:
        from nncert.verify.smt import z3_check_classification, z3_sample

        t2 = time.perf_counter()
        idx = z3_sample(data.n, net.depth, seed=seed)
        zv = z3_check_classification(net, data.points, data.labels, idx)
        timings["z3_check"] = f"{time.perf_counter() - t2:.3f}"
        checked_by["z3"] = {
            "verdict": f"{zv.status.value}: {zv.evidence or zv.reason}",
            "points": "all" if len(idx) == data.n else [str(i) for i in idx],
            "sample_rule": "all points if N <= 300 and N*(depth+1) <= 100000, else a uniform sample "
            "(numpy default_rng(seed), without replacement) of min(300, max(20, 100000 // (depth+1))) points",
        }
        admitted.extend(zv.admitted)
    params = {
        "N": str(data.n),
        "M": str(data.m),
        "d": str(data.d),
        "width": str(net.width),
        "depth": str(net.depth),
        "affine_maps": str(net.num_affine_maps),
        "depth_bound": str(2 * data.n + 4 * data.m - 1),
    }
    witness = {
        "data": data.canonical_json() if embed else None,
        "data_sha256": data.sha256(),
        "network": net.to_json(),
    }
    return Certificate(ID, params, witness, tuple(admitted), checked_by, timings)


def _load(cert: Certificate, data: Dataset | None) -> tuple[Dataset, Network, list[Verdict]]:
    w = cert.witness
    if set(w) != {"data", "data_sha256", "network"}:
        raise InvalidCertificate(f"{ID}: witness must have exactly 'data', 'data_sha256', 'network'")
    if set(cert.params) != set(PARAM_KEYS) or not all(isinstance(v, str) for v in cert.params.values()):
        raise InvalidCertificate(f"{ID}: params must be exactly {list(PARAM_KEYS)} as strings")
    sha = w["data_sha256"]
    if not isinstance(sha, str):
        raise InvalidCertificate(f"{ID}: data_sha256 must be a string")
    parts: list[Verdict] = []
    embedded = Dataset.from_canonical_json(w["data"], "witness.data") if w["data"] is not None else None
    if embedded is None and data is None:
        raise InvalidCertificate("the certificate does not embed its data; pass the data set with --data")
    use = embedded if embedded is not None else data
    assert use is not None
    ok = use.sha256() == sha
    if data is not None and embedded is not None:
        ok = ok and data.sha256() == sha
    src = "embedded data" if embedded is not None else "supplied data"
    parts.append(
        Verdict(Status.HOLDS, "data", evidence=f"{src} matches sha256 {sha[:12]}...")
        if ok
        else Verdict(Status.REFUTED, "data", reason=f"{src} does not match the recorded sha256",
                     counterexample={"data_sha256": sha[:64]})
    )
    net = Network.from_json(w["network"], "witness.network")
    return use, net, parts


def check(cert: Certificate, *, data: Dataset | None = None, **_: Any) -> Verdict:
    """Trusted re-check (core + data + exact evaluator only)."""
    ds, net, parts = _load(cert, data)
    n, m, d = ds.n, ds.m, ds.d
    bound = 2 * n + 4 * m - 1
    if set(ds.labels) != set(range(m)):
        parts.append(Verdict(Status.REFUTED, "classes", reason="some class has no point (M would be inflated)",
                             counterexample={"M": str(m)}))
    actual = {
        "N": str(n), "M": str(m), "d": str(d), "width": str(net.width), "depth": str(net.depth),
        "affine_maps": str(net.num_affine_maps), "depth_bound": str(bound),
    }
    wrong = [k for k in PARAM_KEYS if cert.params[k] != actual[k]]
    parts.append(
        Verdict(Status.HOLDS, "stated values", evidence=f"N={n}, M={m}, d={d} as stated")
        if not wrong
        else Verdict(Status.REFUTED, "stated values",
                     reason=", ".join(f"{k} stated {cert.params[k]!r} but is {actual[k]}" for k in wrong),
                     counterexample={k: actual[k] for k in wrong})
    )
    if net.input_dim != d:
        parts.append(Verdict(Status.REFUTED, "shape", reason=f"network takes {net.input_dim} inputs, data has d={d}",
                             counterexample={"input_dim": str(net.input_dim)}))
        return Verdict.combine(ID, parts, cert.admitted)
    parts.append(
        Verdict(Status.HOLDS, "width == 2", evidence=f"hidden widths all 2 ({net.depth} layers)")
        if net.widths and all(wd == 2 for wd in net.widths)
        else Verdict(Status.REFUTED, "width == 2", reason=f"max hidden width {net.width}",
                     counterexample={"width": str(net.width)})
    )
    parts.append(
        Verdict(Status.HOLDS, "depth <= 2N+4M-1",
                evidence=f"depth {net.depth} hidden layers ({net.num_affine_maps} affine maps) <= {bound}")
        if net.depth <= bound
        else Verdict(Status.REFUTED, "depth <= 2N+4M-1", reason=f"depth {net.depth} > {bound}",
                     counterexample={"depth": str(net.depth), "bound": str(bound)})
    )
    parts.append(check_classification(net, ds.points, ds.labels).verdict)
    return Verdict.combine(ID, parts, cert.admitted)


def _quick() -> Certificate:
    from nncert.data import load_bundled

    return certify(load_bundled("iris"))


CLAIM = Claim(
    id=ID,
    statement=STATEMENT,
    paper_part="Paper 1, Theorem (memorization): width 2, depth <= 2N+4M-1",
    certify=certify,
    check=check,
    quick=_quick,
)
