"""``nncert rbm train``: fixed-schedule training vs full training, adjoint vs finite differences, deviation slopes."""

from __future__ import annotations

import argparse
import math
import os
import time

from nncert.cli._progress import Progress
from nncert.cli._rbm_out import h_grid, loglog_plot, out_dir, write_csv

LABELS = {
    "strong": "strong E(J^h - J)^2 at u0",
    "weak": "weak |E J^h - J| at u0",
    "iterate_dev": "iterate deviation E max_k |u^h_k - u_k|^2",
    "control_gap": "control gap E |u^h - u|^2 (final)",
    "cost_gap": "cost gap E |J^h(u^h) - J(u)| (final)",
    "fresh_control_gap": "fresh schedule per step: E |u^f - u|^2",
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="training with a fixed batch schedule: discrete adjoint vs FD, deviations vs h with slopes",
        description="Two-circles data, classification field with piecewise-constant controls, Euler dt. Checks the "
        "hand-written discrete adjoint against finite differences, runs gradient descent from the same start with "
        "the full field and with fixed random schedules (and, as a separate protocol, a fresh schedule per step), "
        "and reports |J^h - J| (strong and weak), iterate deviation, control gap and cost gap vs h with slopes. "
        "Writes train.png, train.csv, training_deviation.cert.json to --out.",
    )
    p.add_argument("--quick", action="store_true", help="p=8, 8 points, 6 schedules, 10 GD steps, h = 2^-1..2^-4")
    p.add_argument("--hs", default=None, help="h grid (default 2^-1..2^-6; must be multiples of dt)")
    p.add_argument("--dt", default="1/64", help="Euler step (default 1/64)")
    p.add_argument("--p", type=int, default=16, help="neurons (default 16)")
    p.add_argument("--scheme", default=None, help="batch scheme (default uniform:p/2)")
    p.add_argument("--schedules", type=int, default=16, help="fixed schedules per h (default 16)")
    p.add_argument("--iters", type=int, default=40, help="gradient-descent steps (default 40)")
    p.add_argument("--lr", default="0.05", help="learning rate (default 0.05)")
    p.add_argument("--act", default="tanh", choices=["tanh", "relu", "gelu"])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="rbm_train_out", help="output directory (default rbm_train_out)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from fractions import Fraction

    from nncert.constructions.rbm_training import training_deviation
    from nncert.core import EXIT_CODE, fmt, parse_decimal
    from nncert.errors import InvalidArgument
    from nncert.proofs.claims import p2_training_deviation as claim

    t0 = time.perf_counter()
    out = out_dir(args.out)
    if args.quick:
        kw = dict(p=8, n_points=8, scheme="uniform:4", n_schedules=6, iters=10, hs=h_grid("2^-1..2^-4"),
                  dt=Fraction(1, 16), L=2)
    else:
        if args.p < 2 or args.schedules < 2 or args.iters < 1:
            raise InvalidArgument("--p >= 2, --schedules >= 2 and --iters >= 1 are required")
        kw = dict(p=args.p, n_points=16, scheme=args.scheme or f"uniform:{args.p // 2}", n_schedules=args.schedules,
                  iters=args.iters, hs=h_grid(args.hs or "2^-1..2^-6"), dt=parse_decimal(args.dt, "--dt"),
                  lr=float(parse_decimal(args.lr, "--lr")))
    with Progress("rbm train"):
        r = training_deviation(act=args.act, seed=args.seed, **kw)
    cert = claim.certify_from(r, time.perf_counter() - t0)
    verdict = claim.check(cert)
    fd = r["fd"]
    print(f"adjoint gradient vs central finite differences (eps 1e-6, all {fd['n']} coordinates, schedule at "
          f"h={fmt(r['fd_h'])}): relative error {fd['rel_err']:.3e}, max abs diff {fd['max_abs']:.3e}")
    keys = [k for k in LABELS if k in r["rows"][0]]
    print(f"{'h':>6}" + "".join(f"{k:>19}" for k in keys))
    rows = []
    for x in r["rows"]:
        print(f"{fmt(x['h']):>6}" + "".join(f"{x[k]:>19.5g}" for k in keys))
        rows.append([fmt(x["h"]), float(x["h"])] + [x[k] for k in keys] + [x["weak_se"]])
    print("slopes (log-log vs h): " + ", ".join(f"{k} {r['slopes'][k]:.3f}" for k in keys))
    print("(fresh_control_gap is a different protocol: a new schedule at every gradient step)")
    write_csv(os.path.join(out, "train.csv"), ["h", "h_float"] + keys + ["weak_se"], rows)
    hs = [float(x["h"]) for x in r["rows"]]
    series = []
    for k in keys:
        ys = [max(x[k], 1e-300) for x in r["rows"]]
        s = r["slopes"][k]
        ic = sum(math.log(y) - s * math.log(h) for y, h in zip(ys, hs)) / len(hs)
        series.append({"x": hs, "y": ys, "label": LABELS[k], "slope": s, "intercept": ic,
                       "panel": 0 if k in ("strong", "weak", "cost_gap") else 1})
    loglog_plot(os.path.join(out, "train.png"), series, xlabel="switching step h", ylabel="deviation",
                title="training with a fixed batch schedule", ref_slope=1.0, panels=["objective", "controls / iterates"])
    path = os.path.join(out, "training_deviation.cert.json")
    cert.save(path)
    print(verdict.summary())
    print(f"wrote {out}/train.png, train.csv, training_deviation.cert.json ({time.perf_counter() - t0:.1f} s)")
    return EXIT_CODE[verdict.status]
