"""Claim (paper 1, sharpness in width): width 2 cannot be lowered to 1. XOR (parity) data in
d = 2..6 admits no width-1 ReLU MLP of any depth, while the width-2 peel network classifies it.

A certificate holds one or more *cases* (a data set each). Per case it records the width-1 decision
for each semantics (``exact``: output == class index; ``threshold``: classes are output intervals):
a width-1 witness network, or a tree of Farkas vectors (``docs/width_one.md``), and optionally a
width-2 network. ``check`` (trusted: core, data, :mod:`nncert.verify.exact`,
:mod:`nncert.verify.farkas`; no solver) re-derives every case, recomputes N, M, d, regenerates
the XOR data for cases named ``xor_d<k>`` and recomputes ``sharp`` (some case is width-1 infeasible
in exact semantics *and* has a checked width-2 network) and ``xor_dims``.

``nncert width-one DATA`` writes a one-case certificate of this claim for any data set.
"""

from __future__ import annotations

import itertools
import re
import time
from typing import Any, Sequence

from nncert.core import Certificate, Network, Status, Verdict
from nncert.data import Dataset, from_arrays
from nncert.errors import InvalidArgument, InvalidCertificate
from nncert.proofs import Claim
from nncert.verify.exact import check_classification
from nncert.verify.farkas import check_width_one

ID = "P1.memorization.width_sharpness"
STATEMENT = "width 2 is sharp: some data sets (XOR in d = 2..6) admit no width-1 ReLU MLP of any depth"
XOR_DIMS = (2, 3, 4, 5, 6)
_XOR_NAME = re.compile(r"xor_d([2-9]|1[0-2])")


def xor_data(d: int) -> Dataset:
    """Parity data: every vertex of ``{0,1}^d`` labelled by the parity of its coordinate sum.

    Examples
    --------
    >>> ds = xor_data(2); ds.points, ds.labels
    (((Fraction(0, 1), Fraction(0, 1)), (Fraction(0, 1), Fraction(1, 1)), (Fraction(1, 1), Fraction(0, 1)), (Fraction(1, 1), Fraction(1, 1))), (0, 1, 1, 0))
    """
    if not isinstance(d, int) or not 1 <= d <= 12:
        raise InvalidArgument(f"XOR dimension must be an integer in 1..12, got {d!r}")
    pts = list(itertools.product((0, 1), repeat=d))
    return from_arrays(pts, [sum(p) % 2 for p in pts], name=f"xor_d{d}")


def certify(
    cases: Sequence[tuple[str, Dataset]],
    *,
    semantics: Sequence[str] = ("exact", "threshold"),
    width2: bool = True,
    cross_check: bool = True,
    seed: int = 0,
) -> Certificate:
    """Decide width 1 for each case (z3 + cvc5, untrusted), add a width-2 peel network, certify."""
    from nncert.verify.width_one import width_one

    timings: dict[str, str] = {}
    p_cases, w_cases, log_cases = [], [], []
    admitted: list[str] = []
    for name, data in cases:
        t0 = time.perf_counter()
        decisions = [width_one(data, semantics=s, cross_check=cross_check) for s in semantics]
        timings[f"{name}:width_one"] = f"{time.perf_counter() - t0:.3f}"
        net = None
        if width2:
            from nncert.constructions.memorize import peel  # untrusted; imported here only

            t1 = time.perf_counter()
            net = peel(data, seed=seed).network
            timings[f"{name}:width2"] = f"{time.perf_counter() - t1:.3f}"
        p_cases.append({
            "name": name, "N": str(data.n), "M": str(data.m), "d": str(data.d),
            "width_one": {r.semantics: r.witness_json()["verdict"] for r in decisions},
            "width2_depth": str(net.depth) if net is not None else "none",
        })
        w_cases.append({
            "name": name,
            "data": data.canonical_json(),
            "data_sha256": data.sha256(),
            "width_one": [r.witness_json() for r in decisions],
            "width2": net.to_json() if net is not None else None,
        })
        log_cases.append({"name": name, **{r.semantics: {k: str(v) for k, v in r.solver_log.items()} for r in decisions}})
        if any(r.feasible is None for r in decisions):
            admitted.append(f"{name}: threshold search budget exhausted (undecided)")
    sharp, xdims = _derived(p_cases)
    params = {"cases": p_cases, "sharp": "yes" if sharp else "no", "xor_dims": [str(k) for k in xdims]}
    checked_by = {
        "solvers": log_cases,
        "method": "z3 LRA solves each LP and, if infeasible, the Farkas alternative system exactly; "
        "cvc5 re-decides every infeasible LP" if cross_check else "z3 LRA (no cvc5 cross-check)",
    }
    return Certificate(ID, params, {"cases": w_cases}, tuple(admitted), checked_by, timings)


def _derived(p_cases: Sequence[dict[str, Any]]) -> tuple[bool, list[int]]:
    """(sharp, XOR dimensions shown infeasible) from *stated* per-case results."""
    sharp = False
    xdims = []
    for c in p_cases:
        infeasible = c["width_one"].get("exact") == "infeasible"
        if infeasible and c["width2_depth"] != "none":
            sharp = True
            m = _XOR_NAME.fullmatch(c["name"])
            if m and c["width_one"].get("threshold") == "infeasible":
                xdims.append(int(m.group(1)))
    return sharp, sorted(xdims)


def check(cert: Certificate, **_: Any) -> Verdict:
    """Trusted re-check: data, stated values, every width-1 decision, every width-2 network."""
    w, p = cert.witness, cert.params
    if set(w) != {"cases"} or not isinstance(w["cases"], list) or not w["cases"]:
        raise InvalidCertificate(f"{ID}: witness must be {{'cases': [non-empty list]}}")
    if set(p) != {"cases", "sharp", "xor_dims"} or not isinstance(p["cases"], list) or len(p["cases"]) != len(w["cases"]):
        raise InvalidCertificate(f"{ID}: params must be cases (one per witness case), sharp, xor_dims")
    parts: list[Verdict] = []
    actual_cases = []
    for k, (wc, pc) in enumerate(zip(w["cases"], p["cases"])):
        if not isinstance(wc, dict) or set(wc) != {"name", "data", "data_sha256", "width_one", "width2"}:
            raise InvalidCertificate(f"{ID}: witness case {k} needs name, data, data_sha256, width_one, width2")
        if not isinstance(pc, dict) or set(pc) != {"name", "N", "M", "d", "width_one", "width2_depth"}:
            raise InvalidCertificate(f"{ID}: params case {k} needs name, N, M, d, width_one, width2_depth")
        name = wc["name"]
        if not isinstance(name, str) or len(name) > 200 or name != pc["name"]:
            raise InvalidCertificate(f"{ID}: case {k} name missing or differs between params and witness")
        ds = Dataset.from_canonical_json(wc["data"], f"cases[{k}].data")
        tag = f"[{name}] "
        if ds.sha256() != wc["data_sha256"]:
            parts.append(Verdict(Status.REFUTED, tag + "data", reason="data does not match its sha256",
                                 counterexample={"case": name}))
            continue
        m = _XOR_NAME.fullmatch(name)
        if m:
            same = xor_data(int(m.group(1))).canonical_json() == wc["data"]
            parts.append(Verdict(Status.HOLDS, tag + "XOR data", evidence=f"is the parity data on {{0,1}}^{m.group(1)}")
                         if same else Verdict(Status.REFUTED, tag + "XOR data", reason="not the parity data set",
                                              counterexample={"case": name}))
        if not isinstance(wc["width_one"], list):
            raise InvalidCertificate(f"{ID}: case {k} width_one must be a list")
        verdicts: dict[str, str] = {}
        for dec in wc["width_one"]:
            v = check_width_one(dec, ds)
            sem = dec["semantics"]
            if sem in verdicts:
                raise InvalidCertificate(f"{ID}: case {k} decides semantics {sem!r} twice")
            verdicts[sem] = dec["verdict"] if v.holds else "unverified"
            parts.append(Verdict(v.status, tag + v.claim, v.evidence, v.reason, v.counterexample))
        depth = "none"
        if wc["width2"] is not None:
            net = Network.from_json(wc["width2"], f"cases[{k}].width2")
            bound = 2 * ds.n + 4 * ds.m - 1
            ok_shape = net.input_dim == ds.d and bool(net.widths) and all(x == 2 for x in net.widths)
            cls = check_classification(net, ds.points, ds.labels).verdict if ok_shape else None
            if ok_shape and net.depth <= bound and cls is not None and cls.holds:
                depth = str(net.depth)
                parts.append(Verdict(Status.HOLDS, tag + "width-2 network",
                                     evidence=f"width 2, depth {net.depth} <= 2N+4M-1 = {bound}, exact at {ds.n} points"))
            else:
                why = cls.reason if cls is not None and not cls.holds else f"widths {list(net.widths)}, depth {net.depth}"
                parts.append(Verdict(Status.REFUTED, tag + "width-2 network", reason=why, counterexample={"case": name}))
        actual = {"name": name, "N": str(ds.n), "M": str(ds.m), "d": str(ds.d), "width_one": verdicts,
                  "width2_depth": depth}
        wrong = [key for key in actual if pc[key] != actual[key]]
        parts.append(Verdict(Status.HOLDS, tag + "stated values", evidence=f"N={ds.n}, M={ds.m}, d={ds.d} as stated")
                     if not wrong else
                     Verdict(Status.REFUTED, tag + "stated values",
                             reason=", ".join(f"{key} stated {pc[key]!r} but is {actual[key]!r}" for key in wrong),
                             counterexample={key: str(actual[key])[:200] for key in wrong}))
        actual_cases.append(actual)
    if len(actual_cases) == len(p["cases"]):
        sharp, xdims = _derived(actual_cases)
        stated = (p["sharp"], p["xor_dims"])
        real = ("yes" if sharp else "no", [str(x) for x in xdims])
        parts.append(Verdict(Status.HOLDS, "sharpness", evidence=f"sharp={real[0]}, XOR dims {real[1]}")
                     if stated == real else
                     Verdict(Status.REFUTED, "sharpness", reason=f"stated sharp={stated[0]}, xor_dims={stated[1]} "
                             f"but recomputed {real[0]}, {real[1]}", counterexample={"sharp": real[0]}))
    return Verdict.combine(ID, parts, cert.admitted)


def _quick() -> Certificate:
    return certify([(f"xor_d{k}", xor_data(k)) for k in XOR_DIMS])


CLAIM = Claim(
    id=ID,
    statement=STATEMENT,
    paper_part="Paper 1, sharpness of width 2 (no width-1 network for XOR, d = 2..6)",
    certify=certify,
    check=check,
    depends_on=("P1.memorization.width2_depth",),
    quick=_quick,
)
