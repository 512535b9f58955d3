"""``nncert width-one DATA``: can a width-1 ReLU network (any depth) classify DATA? Verdict + certificate."""

from __future__ import annotations

import argparse
import re
import time

from nncert.cli._common import data_stem
from nncert.errors import InvalidArgument

_XOR = re.compile(r"xor([0-9]+)")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "width-one",
        help="decide exactly whether a width-1 ReLU network fits a data set (witness or Farkas certificate)",
        description="Decide, in exact arithmetic, whether some width-1 ReLU MLP of any depth classifies DATA: "
        "'exact' semantics (output == class index) and/or 'threshold' semantics (classes are intervals of the "
        "output in some order). Feasible: a width-1 witness network; infeasible: Farkas multipliers. The result is "
        "re-checked by the solver-free trusted checker and written as a certificate of "
        "P1.memorization.width_sharpness (re-check it with 'nncert check FILE').",
    )
    p.add_argument("data", help="CSV file (optionally .gz), bundled name (iris, digits) or xorK (parity on {0,1}^K)")
    p.add_argument("--label-column", default=None, help="label column name or index (default: last)")
    p.add_argument("--groups", default=None,
                   help="merge/select classes: groups separated by ';', classes within a group by ',' "
                   "(e.g. 'setosa;versicolor,virginica'); points of unlisted classes are dropped")
    p.add_argument("--semantics", choices=("exact", "threshold", "both"), default="both",
                   help="which reading of the output to decide (default both)")
    p.add_argument("--out", default=None, help="certificate path (default: <data>.width1.cert.json)")
    p.add_argument("--no-width2", action="store_true", help="do not add the width-2 peel network")
    p.add_argument("--no-cvc5", action="store_true", help="skip the cvc5 re-decision of infeasible LPs")
    p.set_defaults(run=run)


def _load(args: argparse.Namespace):  # noqa: ANN202
    from nncert.data import load

    m = _XOR.fullmatch(args.data)
    if m:
        from nncert.proofs.claims.p1_width_sharpness import xor_data

        k = int(m.group(1))
        if not 1 <= k <= 12:
            raise InvalidArgument(f"xor dimension {k} is outside 1..12")
        return xor_data(k), f"xor_d{k}"
    data = load(args.data, args.label_column)
    name = data_stem(args.data)
    if args.groups is not None:
        groups = [[c.strip() for c in g.split(",") if c.strip()] for g in args.groups.split(";")]
        if len(groups) < 1 or any(not g for g in groups):
            raise InvalidArgument(f"--groups {args.groups!r}: empty group")
        data = data.relabel(groups)
        name += "[" + ";".join(",".join(g) for g in groups) + "]"
    return data, name


def run(args: argparse.Namespace) -> int:
    from nncert.core import EXIT_CODE, Status
    from nncert.proofs.claims.p1_width_sharpness import certify, check

    t0 = time.perf_counter()
    data, name = _load(args)
    sems = ("exact", "threshold") if args.semantics == "both" else (args.semantics,)
    cert = certify([(name, data)], semantics=sems, width2=not args.no_width2, cross_check=not args.no_cvc5)
    verdict = check(cert)
    out = args.out or f"{data_stem(args.data)}.width1.cert.json"
    cert.save(out)
    case = cert.params["cases"][0]
    print(f"data: {name}  N={case['N']} M={case['M']} d={case['d']}")
    for sem in sems:
        dec = next(d for d in cert.witness["cases"][0]["width_one"] if d["semantics"] == sem)
        v = dec["verdict"]
        if v == "feasible":
            from nncert.core import Network

            net = Network.from_json(dec["network"])
            what = f"width-1 witness network, depth {net.depth}"
        elif v == "infeasible":
            what = "no width-1 network of any depth (Farkas certificate)"
        else:
            what = "undecided (search budget exhausted)"
        print(f"width 1, {sem:<9} semantics: {v.upper():<10} {what}")
    if case["width2_depth"] != "none":
        print(f"width 2: peel network of depth {case['width2_depth']} (<= 2N+4M-1)")
    print(f"trusted re-check (no solver): {verdict.status.value}")
    if verdict.status is not Status.HOLDS:
        print(verdict.summary())
    print(f"certificate written to {out}  ({time.perf_counter() - t0:.2f} s)")
    return EXIT_CODE[verdict.status]
