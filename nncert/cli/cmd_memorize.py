"""``nncert memorize [DATA]``: build, check and certify a width-2 memorization network."""

from __future__ import annotations

import argparse
import time

from nncert.cli._common import data_stem
from nncert.cli._progress import Progress
from nncert.data import load


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "memorize",
        help="width-2 network classifying a data set exactly, with a certificate",
        description="Build the width-2 peel network for DATA (default: bundled Iris), check it exactly and "
        "with z3, print a summary table and write a JSON certificate.",
    )
    p.add_argument("data", nargs="?", default="iris", help="CSV file (optionally .gz) or bundled name: iris, digits")
    p.add_argument("--label-column", default=None, help="label column name or index (default: last)")
    p.add_argument("--out", default=None, help="certificate path (default: <data name>.cert.json)")
    p.add_argument("--no-embed", action="store_true", help="store only the data's SHA-256, not the data")
    p.add_argument("--no-z3", action="store_true", help="skip the z3 cross-check")
    p.add_argument("--seed", type=int, default=0, help="seed of the direction search and z3 sample (default 0)")
    p.add_argument("--force", action="store_true", help="allow more than 10^7 points")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from nncert.proofs.claims.p1_memorization import certify

    t0 = time.perf_counter()
    data = load(args.data, args.label_column, force=args.force)
    with Progress("memorize") as prog:
        cert = certify(data, embed=not args.no_embed, z3=not args.no_z3, seed=args.seed, progress=prog.update)
    out = args.out or f"{data_stem(args.data)}.cert.json"
    cert.save(out)
    p, cb = cert.params, cert.checked_by
    max_abs = max((abs(v) for v in _params(cert)), default=0)
    checkers = "exact" + (" + z3" if "z3" in cb else "")
    rows = [
        ("N (distinct)", p["N"]), ("d", p["d"]), ("M", p["M"]), ("width", p["width"]),
        ("depth (hidden layers)", f"{p['depth']}  ({p['affine_maps']} affine maps)"),
        ("2N+4M-1", p["depth_bound"]), ("max |parameter|", _short(max_abs)),
        ("checkers", f"{checkers}: {cb['exact']}" + (f"; z3 {cb['z3']['verdict']}" if 'z3' in cb else "")),
        ("seconds", f"{time.perf_counter() - t0:.2f}"),
    ]
    if data.merged:
        rows.insert(1, ("merged duplicates", str(len(data.merged))))
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    print(f"certificate written to {out}")
    ok = cb["exact"].startswith("HOLDS") and ("z3" not in cb or cb["z3"]["verdict"].startswith("HOLDS"))
    return 0 if ok else 1


def _params(cert):  # noqa: ANN001, ANN202
    from nncert.core import Network

    return Network.from_json(cert.witness["network"]).parameters()


def _short(v) -> str:  # noqa: ANN001
    from nncert.core import fmt

    text = fmt(v)
    return text if len(text) <= 40 else f"{float(v):.6g} ({len(text)} chars exact)"
