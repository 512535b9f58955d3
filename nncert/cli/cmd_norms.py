"""``nncert norms [DATA]``: exact parameter norms of the width-2 peel network, the explicit bound B, and the
regularized-loss bounds lambda ||theta*||^2 (two certificates)."""

from __future__ import annotations

import argparse
import os
import time


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "norms",
        help="exact parameter norms of the width-2 memorization network vs the explicit bound B; "
        "regularized-loss bounds",
        description="Build the width-2 peel network for DATA (default iris), print its exact ||theta*||^2, max "
        "|parameter| and per-layer norms next to the explicit bound B (docs/norm_bound.md), the norm after "
        "function-preserving power-of-two rescaling, and the exact bounds lambda ||theta*||^2 for the regularized "
        "loss. Writes certificates of P1.memorization.norm_bound and P1.memorization.regularized_loss.",
    )
    p.add_argument("data", nargs="?", default="iris", help="CSV file or bundled name (default iris)")
    p.add_argument("--label-column", default=None, help="label column name or index (default: last)")
    p.add_argument("--lambdas", default="1e-1,1e-2,1e-3,1e-4,1e-5,1e-6", help="comma-separated lambdas")
    p.add_argument("--out", default=".", help="directory for the two certificates (default .)")
    p.add_argument("--seed", type=int, default=0, help="direction-search seed (default 0)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from nncert.core import parse_decimal
    from nncert.data import load
    from nncert.errors import InvalidArgument
    from nncert.proofs.claims import p1_norm_bound as nb
    from nncert.proofs.claims import p1_regularized_loss as rl
    from nncert.verify.norms import text

    t0 = time.perf_counter()
    lams = [parse_decimal(t, "--lambdas") for t in args.lambdas.split(",") if t.strip()]
    if not lams or any(v <= 0 for v in lams):
        raise InvalidArgument(f"--lambdas must be positive numbers, got {args.lambdas!r}")
    data = load(args.data, args.label_column)
    os.makedirs(args.out, exist_ok=True)
    c1 = nb.certify(data, seed=args.seed)
    v1 = nb.check(c1)
    c2 = rl.certify(data, lambdas=lams, seed=args.seed)
    v2 = rl.check(c2)
    stem = os.path.basename(args.data).split(".")[0] or "data"
    p1, p2 = c1.params, c2.params
    c1.save(os.path.join(args.out, f"{stem}.norm_bound.cert.json"))
    c2.save(os.path.join(args.out, f"{stem}.regularized.cert.json"))
    cb = c1.checked_by
    print(f"data: {stem}  N={p1['N']} M={p1['M']} d={p1['d']}; peel network: width 2, depth {p1['depth']}")
    print(f"||theta*||^2           = {cb['norms']['sum_squares']}   (~{float(int(p1['sum_squares_ceil'])):.4g})")
    print(f"max |parameter|        = {text(parse_decimal(p1['max_abs']))}")
    print(f"B (explicit bound)     = {text(parse_decimal(p1['B']))}   (~{float(parse_decimal(p1['B'])):.4g}, "
          f"B/||theta*||^2 ~ {cb['ratio_B_over_norm']})")
    print(f"B_N (N-only form)      = ~{float(parse_decimal(p1['B_N'])):.4g}")
    print(f"norm bound check       : {v1.status.value}")
    print(f"theta* for the regularized estimate: rescaled small-norm peel network, depth {p2['depth']}, "
          f"||theta*||^2 = ~{float(parse_decimal(p2['theta_sq'])):.6g} ({p2['theta_sq_kind']}), weights only "
          f"~{float(parse_decimal(p2['theta_sq_weights'])):.6g}")
    print(f"rounding classifies every point for lambda < 1/(4N||theta*||^2) = ~{float(parse_decimal(p2['rounding_lambda'])):.3g}")
    print(f"{'lambda':>10}  {'bound on min J, on a minimizer loss (lambda ||theta*||^2)':<58}")
    for e in p2["lambdas"]:
        print(f"{float(parse_decimal(e['lambda'])):>10.0e}  {text(parse_decimal(e['J_bound']), 60):<58} "
              f"(~{float(parse_decimal(e['J_bound'])):.4g})")
    print(f"regularized bounds check: {v2.status.value}")
    print(f"certificates written to {args.out}/{stem}.norm_bound.cert.json, {stem}.regularized.cert.json "
          f"({time.perf_counter() - t0:.2f} s)")
    return 0 if v1.holds and v2.holds else 1
