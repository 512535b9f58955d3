"""Claim: an imported network classifies a data set correctly, with the stated exact margin at every point.

Issue 8 (not a paper claim): a user's ReLU MLP, read exactly from ONNX / PyTorch / NumPy
(:mod:`nncert.interop`), is evaluated in exact arithmetic on every data point. The decision rule
(argmax / threshold / nearest, :mod:`nncert.verify.decision`) gives each point a margin; the claim is
that every margin is > 0 (no point misclassified, none on a decision boundary).

``certify`` (untrusted) evaluates and records the margins, plus an informational float64 comparison.
``check`` (trusted: core, data, :mod:`nncert.verify.exact`, :mod:`nncert.verify.decision`) re-evaluates
every point exactly, recomputes every margin and stated value, and decides.
"""

from __future__ import annotations

import time
from fractions import Fraction
from typing import Any

from nncert.core import Certificate, Network, Status, Verdict, fmt, parse_exact
from nncert.data import Dataset
from nncert.errors import InvalidArgument, InvalidCertificate
from nncert.proofs import Claim
from nncert.verify.decision import MODES, default_mode, label_value, margin
from nncert.verify.exact import evaluate_many

ID = "model.classification"
STATEMENT = "an imported ReLU MLP gives every point of a data set its label, with the stated exact margins (> 0)"
PARAM_KEYS = ("N", "d", "outputs", "mode", "threshold", "class_range", "correct", "min_margin", "worst_point")


def _targets(data: Dataset, mode: str) -> tuple[list[int], tuple[int, int] | None]:
    """Target per point. argmax: the output index = the integer label itself (class index for text labels);
    nearest/threshold: the class index 0..M-1 (nncert's memorization convention: f(x_i) = class index)."""
    if mode == "argmax":
        return [label_value(lab, data.classes, data.label_kind) for lab in data.labels], None
    if mode == "nearest":
        return list(data.labels), (0, data.m - 1)
    return list(data.labels), None


def margins(net: Network, data: Dataset, mode: str, threshold: Fraction | None) -> tuple[list[Fraction], Any]:
    """Exact margin of every point (trusted: exact evaluator + decision rule)."""
    if net.input_dim != data.d:
        raise InvalidArgument(f"the network takes {net.input_dim} inputs but the data has d={data.d}")
    if mode not in MODES:
        raise InvalidArgument(f"mode must be one of {list(MODES)}, got {mode!r}")
    targets, rng = _targets(data, mode)
    if mode == "threshold":
        bad = [t for t in targets if t not in (0, 1)]
        if bad:
            raise InvalidArgument(f"threshold rule needs 2 classes, the data has {data.m}: {list(data.classes)[:5]}")
    if mode == "argmax":
        bad = [t for t in targets if not 0 <= t < net.output_dim]
        if bad:
            raise InvalidArgument(f"label {bad[0]} is not an output index of a network with {net.output_dim} outputs")
    outs = evaluate_many(net, data.points)
    return [margin(y, t, mode, threshold, rng) for y, t in zip(outs, targets)], rng


def certify(net: Network, data: Dataset, *, mode: str | None = None, threshold: Fraction | None = None,
            source: dict[str, str] | None = None, embed: bool = True) -> Certificate:
    """Evaluate exactly, record margins; also count where float64 evaluation decides differently (informational)."""
    import numpy as np

    from nncert.verify.decision import predict

    mode = mode or default_mode(net.output_dim, threshold)
    t0 = time.perf_counter()
    ms, rng = margins(net, data, mode, threshold)
    t_exact = time.perf_counter() - t0
    correct = sum(1 for m in ms if m > 0)
    worst = min(range(len(ms)), key=ms.__getitem__)
    # float64 comparison: numeric path, informational only
    t1 = time.perf_counter()
    Y = net.evaluate_float(np.array([[float(v) for v in p] for p in data.points]))
    targets, _ = _targets(data, mode)
    tf = float(threshold) if threshold is not None else None
    float_wrong = 0
    for yrow, t in zip(Y.tolist(), targets):
        yf = [Fraction(v) for v in yrow]  # exact value of the float outputs, decided by the exact rule
        p = predict(yf, mode, Fraction(tf) if tf is not None else None, rng)
        float_wrong += p != t
    exact_wrong = len(ms) - correct
    params = {
        "N": str(data.n), "d": str(data.d), "outputs": str(net.output_dim), "mode": mode,
        "threshold": fmt(threshold) if threshold is not None else "none",
        "class_range": f"{rng[0]}..{rng[1]}" if rng else "none",
        "correct": str(correct), "min_margin": fmt(ms[worst]), "worst_point": str(worst),
    }
    witness = {
        "data": data.canonical_json() if embed else None,
        "data_sha256": data.sha256(),
        "network": net.to_json(),
        "margins": [fmt(m) for m in ms],
    }
    checked_by = {
        "exact": f"{correct}/{data.n} points with margin > 0",
        "float64": f"float64 evaluation decides {float_wrong} point(s) wrong (exact: {exact_wrong})",
        "source": dict(source or {}),
        "data_source": data.source,
    }
    timings = {"exact": f"{t_exact:.3f}", "float64": f"{time.perf_counter() - t1:.3f}"}
    return Certificate(ID, params, witness, (), checked_by, timings)


def check(cert: Certificate, *, data: Dataset | None = None, **_: Any) -> Verdict:
    """Trusted re-check: data hash, every margin recomputed exactly, stated values, all margins > 0."""
    w, p = cert.witness, cert.params
    if set(w) != {"data", "data_sha256", "network", "margins"}:
        raise InvalidCertificate(f"{ID}: witness must have exactly 'data', 'data_sha256', 'network', 'margins'")
    if set(p) != set(PARAM_KEYS) or not all(isinstance(v, str) for v in p.values()):
        raise InvalidCertificate(f"{ID}: params must be exactly {list(PARAM_KEYS)} as strings")
    if p["mode"] not in MODES:
        raise InvalidCertificate(f"{ID}: mode {p['mode'][:40]!r} is not one of {list(MODES)}")
    threshold = None if p["threshold"] == "none" else parse_exact(p["threshold"], "params.threshold")
    if p["mode"] == "threshold" and threshold is None:
        raise InvalidCertificate(f"{ID}: mode 'threshold' needs a threshold")
    if not isinstance(w["data_sha256"], str) or not isinstance(w["margins"], list):
        raise InvalidCertificate(f"{ID}: data_sha256 must be a string and margins a list")
    embedded = Dataset.from_canonical_json(w["data"], "witness.data") if w["data"] is not None else None
    if embedded is None and data is None:
        raise InvalidCertificate("the certificate does not embed its data; pass the data set with --data")
    ds = embedded if embedded is not None else data
    assert ds is not None
    parts: list[Verdict] = []
    ok = ds.sha256() == w["data_sha256"] and (data is None or embedded is None or data.sha256() == w["data_sha256"])
    parts.append(Verdict(Status.HOLDS, "data", evidence=f"data matches sha256 {w['data_sha256'][:12]}...") if ok else
                 Verdict(Status.REFUTED, "data", reason="data does not match the recorded sha256",
                         counterexample={"data_sha256": w["data_sha256"][:64]}))
    net = Network.from_json(w["network"], "witness.network")
    stated = [parse_exact(m, f"witness.margins[{i}]") for i, m in enumerate(w["margins"])]
    try:
        ms, rng = margins(net, ds, p["mode"], threshold)
    except InvalidArgument as err:
        parts.append(Verdict(Status.REFUTED, "shape", reason=str(err), counterexample={"shape": str(err)[:120]}))
        return Verdict.combine(ID, parts, cert.admitted)
    if len(stated) != len(ms):
        parts.append(Verdict(Status.REFUTED, "margins", reason=f"{len(stated)} margins stated for {len(ms)} points",
                             counterexample={"margins": str(len(stated))}))
    else:
        diff = [i for i, (a, b) in enumerate(zip(stated, ms)) if a != b]
        parts.append(Verdict(Status.HOLDS, "margins", evidence=f"all {len(ms)} exact margins recomputed") if not diff
                     else Verdict(Status.REFUTED, "margins", reason=f"margin of point {diff[0]} stated "
                                  f"{fmt(stated[diff[0]])} but is {fmt(ms[diff[0]])}",
                                  counterexample={"point": str(diff[0]), "margin": fmt(ms[diff[0]])}))
    correct = sum(1 for m in ms if m > 0)
    worst = min(range(len(ms)), key=ms.__getitem__)
    actual = {
        "N": str(ds.n), "d": str(ds.d), "outputs": str(net.output_dim), "mode": p["mode"],
        "threshold": p["threshold"], "class_range": f"{rng[0]}..{rng[1]}" if rng else "none",
        "correct": str(correct), "min_margin": fmt(ms[worst]), "worst_point": str(worst),
    }
    wrong = [k for k in PARAM_KEYS if p[k] != actual[k]]
    parts.append(Verdict(Status.HOLDS, "stated values", evidence=f"N={ds.n}, correct={correct} as stated") if not wrong
                 else Verdict(Status.REFUTED, "stated values",
                              reason=", ".join(f"{k} stated {p[k][:40]!r} but is {actual[k]}" for k in wrong),
                              counterexample={k: actual[k] for k in wrong}))
    if correct == len(ms):
        parts.append(Verdict(Status.HOLDS, "all points classified",
                             evidence=f"{len(ms)}/{len(ms)} margins > 0, min {fmt(ms[worst])} at point {worst}"))
    else:
        bad = next(i for i, m in enumerate(ms) if m <= 0)
        what = "on a decision boundary" if ms[bad] == 0 else "misclassified"
        parts.append(Verdict(Status.REFUTED, "all points classified",
                             reason=f"{len(ms) - correct} point(s) not classified; first: point {bad} {what}",
                             counterexample={"point": str(bad), "margin": fmt(ms[bad])}))
    return Verdict.combine(ID, parts, cert.admitted)


def _quick() -> Certificate:
    """Iris: the peel network exported to ONNX (float64) and re-imported, certified on Iris."""
    from nncert.constructions.memorize import peel
    from nncert.data import load_bundled
    from nncert.interop import load_onnx, onnx_bytes

    data = load_bundled("iris")
    imported = load_onnx(onnx_bytes(peel(data).network))
    return certify(imported.network, data, source={"format": imported.source_format, "dtype": imported.source_dtype,
                                                   "exact_from": imported.exact_from})


CLAIM = Claim(
    id=ID,
    statement=STATEMENT,
    paper_part="Issue 8: exact verification of imported ReLU MLPs",
    certify=certify,
    check=check,
    quick=_quick,
)
