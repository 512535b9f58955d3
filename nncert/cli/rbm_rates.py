"""``nncert rbm rates``: mean-square trajectory error vs h for several batch schemes, with slopes and a certificate."""

from __future__ import annotations

import argparse
import os
import time

from nncert.cli._progress import Progress
from nncert.cli._rbm_out import add_exec_args, h_grid, loglog_plot, out_dir, write_csv


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "rates",
        help="trajectory MSE vs h (sup_t E and E sup_t), bootstrap CIs, slopes, exact constant-field check",
        description="Integrate the classification field (two-circles data) with random batches for each scheme and h, "
        "measure the MSE against the full model in both readings, fit log-log slopes with bootstrap CIs, check the "
        "exact identity E|x^h - x|^2 = t h Var on a state-independent field, and write rates.png, rates.csv, "
        "constant_check.csv and trajectory_rate.cert.json to --out.",
    )
    p.add_argument("--quick", action="store_true", help="h = 2^-1..2^-6, 64 schedules, 32 points (about 20 s serial)")
    p.add_argument("--schemes", default="uniform:8,bernoulli:1/3,partition:3",
                   help="comma list: full, uniform:R, bernoulli:Q, partition:N, pick-one, drop-one, "
                        "family:B1|B2:Q1,Q2 (batches as 0+1+5)")
    p.add_argument("--hs", default=None, help="h grid, e.g. 1/2,1/4,1/8 or 2^-1..2^-7 (default 2^-1..2^-6)")
    p.add_argument("--schedules", type=int, default=None, help="schedules per (scheme, h) (default 256; quick 64)")
    p.add_argument("--points", type=int, default=32, help="two-circles data points (default 32)")
    p.add_argument("--p", type=int, default=24, help="neurons (default 24)")
    p.add_argument("--act", default="tanh", choices=["tanh", "relu", "gelu"], help="activation (default tanh)")
    p.add_argument("--method", default="rk4", choices=["rk4", "euler"], help="integrator (default rk4)")
    p.add_argument("--sub", type=int, default=8, help="numerical steps per switching interval, h/dt (default 8)")
    p.add_argument("--seed", type=int, default=0, help="master seed (default 0)")
    p.add_argument("--out", default="rbm_rates_out", help="output directory (default rbm_rates_out)")
    add_exec_args(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from nncert.core import EXIT_CODE, fmt
    from nncert.errors import InvalidArgument
    from nncert.parallel import make_executor
    from nncert.proofs.claims import p2_trajectory_rate as claim

    t0 = time.perf_counter()
    hs = h_grid(args.hs) if args.hs else h_grid("2^-1..2^-6")
    n_sched = args.schedules or (64 if args.quick else 256)
    for name, v in (("--schedules", n_sched), ("--points", args.points), ("--p", args.p), ("--sub", args.sub)):
        if v < 2 and name != "--sub" or v < 1:
            raise InvalidArgument(f"{name}={v} is too small")
    schemes = split_schemes(args.schemes)
    out = out_dir(args.out)
    with make_executor(args.jobs, args.dask) as ex, Progress("rbm rates") as prog:
        ro = claim.run(p=args.p, n_points=args.points, schemes=schemes, hs=hs, n_schedules=n_sched, sub=args.sub,
                       method=args.method, act=args.act, seed=args.seed, executor=ex, progress=prog.update,
                       const_schedules=400)
        ex_name = ex.name
    cert = claim.certify_from(ro)
    verdict = claim.check(cert)
    res = ro["res"]
    rows, series = [], []
    print(f"trajectory MSE vs h: p={args.p}, {args.points} points, T=1, dt=h/{args.sub}, {args.method}, "
          f"{n_sched} schedules per h, executor {ex_name}")
    print(f"{'scheme':<16}{'E|B|':>6}{'h':>8}{'sup_t E [95% CI]':>34}{'E sup_t [95% CI]':>34}")
    for name in res.schemes:
        for j, h in enumerate(res.hs):
            a, (alo, ahi) = res.sup_E[name][j], res.sup_E_ci[name][j]
            b, (blo, bhi) = res.E_sup[name][j], res.E_sup_ci[name][j]
            print(f"{name:<16}{fmt(res.expected_size[name]):>6}{fmt(h):>8}{a:>12.5g} [{alo:.4g}, {ahi:.4g}]"
                  f"{b:>14.5g} [{blo:.4g}, {bhi:.4g}]")
            rows.append([name, fmt(res.expected_size[name]), fmt(h), float(h), a, alo, ahi, b, blo, bhi])
        for k, rd in enumerate(("sup_E", "E_sup")):
            s, lo, hi, icpt = res.slope[rd][name]
            lab = "sup_t E" if rd == "sup_E" else "E sup_t"
            print(f"  slope {lab}: {s:.3f}  (95% bootstrap CI [{lo:.3f}, {hi:.3f}])")
            vals, ci = (res.sup_E, res.sup_E_ci) if rd == "sup_E" else (res.E_sup, res.E_sup_ci)
            series.append({"x": [float(h) for h in res.hs], "y": vals[name], "lo": ci[name][:, 0], "hi": ci[name][:, 1],
                           "label": name, "slope": s, "intercept": icpt, "panel": k})
    write_csv(os.path.join(out, "rates.csv"),
              ["scheme", "E|B|", "h", "h_float", "sup_t_E", "sup_t_E_lo", "sup_t_E_hi", "E_sup_t", "E_sup_t_lo", "E_sup_t_hi"],
              rows)
    write_csv(os.path.join(out, "slopes.csv"), ["scheme", "reading", "slope", "ci_lo", "ci_hi"],
              [[n, rd, *res.slope[rd][n][:3]] for n in res.schemes for rd in ("sup_E", "E_sup")])
    loglog_plot(os.path.join(out, "rates.png"), series, xlabel="switching step h", ylabel="mean-square error",
                title="random-batch trajectory MSE", ref_slope=1.0, panels=["sup_t E", "E sup_t"])
    crow, trow = [], []
    print("exact state-independent check (f_i = v_i): mean_s |x^h(T) - x(T)|^2 vs T h Var")
    for r in ro["const"]:
        print(f"  {r['scheme']:<16} h={fmt(r['h']):<6} T h Var={float(r['predicted']):<10.6g} measured={r['mean']:<10.6g} "
              f"se={r['se']:.3g}  z={r['z']:+.2f}  (max |z| over t_j = j h: {r['max_abs_z_over_t']:.2f})")
        for t, m, se, pv in r["curve"]:
            trow.append([r["scheme"], fmt(r["h"]), fmt(t), fmt(pv), m, se, (m - float(pv)) / se if se > 0 else 0.0])
        crow.append([r["scheme"], fmt(r["h"]), fmt(r["var_exact"]), fmt(r["predicted"]), r["mean"], r["se"], r["z"], r["n"]])
    write_csv(os.path.join(out, "constant_check.csv"),
              ["scheme", "h", "Var_exact", "T_h_Var", "measured_mean", "standard_error", "z", "schedules"], crow)
    write_csv(os.path.join(out, "constant_check_times.csv"),
              ["scheme", "h", "t", "t_h_Var", "measured_mean", "standard_error", "z"], trow)
    cert_path = os.path.join(out, "trajectory_rate.cert.json")
    cert.save(cert_path)
    print(f"claim {claim.ID}: {verdict.status.value} ({len(verdict.parts)} parts; statistical parts admitted; "
          f"re-check with: nncert check {cert_path})")
    print(f"wrote {out}/rates.png, rates.csv, slopes.csv, constant_check.csv, constant_check_times.csv, "
          "trajectory_rate.cert.json "
          f"({time.perf_counter() - t0:.1f} s)")
    return EXIT_CODE[verdict.status]


_KINDS = ("full", "uniform", "bernoulli", "partition", "pick-one", "drop-one", "family")


def split_schemes(text: str) -> list[str]:
    """Split a comma list of schemes; commas inside a family's probability list stay with the family.

    >>> split_schemes("uniform:8,family:0|1+2:1/2,1/2,bernoulli:1/3")
    ['uniform:8', 'family:0|1+2:1/2,1/2', 'bernoulli:1/3']
    """
    out: list[str] = []
    for tok in text.split(","):
        tok = tok.strip()
        if not tok:
            continue
        if out and out[-1].startswith("family:") and not tok.split(":")[0].lower() in _KINDS:
            out[-1] += "," + tok
        else:
            out.append(tok)
    return out
