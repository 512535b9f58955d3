"""``nncert rbm calibrate``: calibrate S and c, predicted h* vs cheapest measured h, costs, crossover tolerance."""

from __future__ import annotations

import argparse
import math
import os
import time

from nncert.cli._progress import Progress
from nncert.cli._rbm_out import add_exec_args, out_dir, write_csv


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "calibrate",
        help="cost-accuracy: fit eps(h) = sqrt(S h) + c gamma h, predicted h* vs cheapest measured h, crossover",
        description="Mean-field random tanh field (p neurons, uniform r of p), Euler with dt = gamma h, h = 1/n. Fits c "
        "from the full model's error and S from the random-batch RMS error, predicts h* (closed form of the optimal-h "
        "claim) for each --eps, finds the cheapest measured h meeting it, and reports costs in neuron evaluations "
        "and wall seconds plus the tolerance below which the full model is cheaper. Writes calibrate.png, "
        "calibrate.csv, targets.csv and optimal_h_calibration.cert.json to --out.",
    )
    p.add_argument("--quick", action="store_true", help="p=64, r=16, n up to 64, 16 schedules")
    p.add_argument("--p", type=int, default=256, help="neurons (default 256)")
    p.add_argument("--r", type=int, default=32, help="batch size of uniform r of p (default 32)")
    p.add_argument("--eps", default="0.3,0.2,0.1", help="target RMS tolerances (default 0.3,0.2,0.1)")
    p.add_argument("--gamma", default="1", help="dt/h (1/gamma an integer; default 1)")
    p.add_argument("--schedules", type=int, default=32, help="schedules per h (default 32)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="rbm_calibrate_out", help="output directory")
    add_exec_args(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from nncert.core import EXIT_CODE, fmt, parse_decimal
    from nncert.errors import InvalidArgument
    from nncert.parallel import make_executor
    from nncert.proofs.claims import p2_optimal_h_calibration as claim

    t0 = time.perf_counter()
    out = out_dir(args.out)
    eps = tuple(str(parse_decimal(e, "--eps")) for e in args.eps.split(",") if e.strip())
    gamma = parse_decimal(args.gamma, "--gamma")
    if not eps or any(parse_decimal(e) <= 0 for e in eps):
        raise InvalidArgument("--eps needs positive tolerances")
    if not 0 < gamma <= 1 or (1 / gamma).denominator != 1:
        raise InvalidArgument(f"--gamma {args.gamma}: 1/gamma must be an integer (dt must divide h)")
    if args.quick:
        kw = dict(p=64, r=16, n_points=12, ns=(2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64), n_schedules=16)
        if args.eps == "0.3,0.2,0.1":
            eps = ("2/5", "3/10", "1/5")
    else:
        if not 1 <= args.r <= args.p or args.schedules < 2:
            raise InvalidArgument("need 1 <= --r <= --p and --schedules >= 2")
        kw = dict(p=args.p, r=args.r, n_schedules=args.schedules)
    with make_executor(args.jobs, args.dask) as ex, Progress("rbm calibrate"):
        res = claim.run(gamma=gamma, eps_targets=eps, seed=args.seed, executor=ex, **kw)
    cert = claim.certify_from(res)
    verdict = claim.check(cert)
    print(f"calibration: p={res['p']}, E|B|={fmt(res['expected_size'])}, gamma={fmt(gamma)}, {res['n_points']} points, "
          f"{res['n_schedules']} schedules per h, Euler; error = RMS at T against RK4 (dt = T/2048)")
    print(f"{'h':>7}{'RMS rb':>11}{'RMS full':>11}{'model':>10}{'evals rb':>11}{'evals full':>11}{'s rb':>10}{'s full':>10}")
    rows = []
    a = res["c"] * float(gamma)
    for r in res["rows"]:
        model = math.sqrt(res["S"] * float(r["h"])) + a * float(r["h"])
        print(f"{fmt(r['h']):>7}{r['rms']:>11.4g}{r['full_err']:>11.3g}{model:>10.4g}{r['evals']:>11.0f}"
              f"{r['full_evals']:>11d}{r['seconds']:>10.4f}{r['full_seconds']:>10.4f}")
        rows.append([fmt(r["h"]), float(r["h"]), r["rms"], r["full_err"], model, r["evals"], r["full_evals"], r["seconds"],
                     r["full_seconds"]])
    print(f"fitted: S = {res['S']:.5g}, c = {res['c']:.5g}  (eps(h) = sqrt(S h) + c gamma h)")
    trow = []
    for e, t in zip(res["eps_exact"], res["targets"]):
        hm = fmt(t["h_measured"]) if t["h_measured"] else "none"
        print(f"  eps={fmt(e):<6} predicted h* = {t['h_star']:.4g}  cheapest measured h = {hm:<6} "
              f"predicted cost rb {t['cost_rb_pred']:.4g} vs full {t['cost_full_pred']:.4g} neuron evals"
              + (f"; measured rb cost {t['cost_rb_measured']:.4g} evals, {t['seconds_measured']:.4f} s per schedule"
                 if t["h_measured"] else ""))
        trow.append([fmt(e), t["h_star"], hm, t["cost_rb_pred"], t["cost_full_pred"], t["cost_rb_measured"],
                     t["seconds_measured"]])
    cross = res["crossover_eps"]
    print("crossover: the full model is cheaper for tolerances below eps = "
          + (f"{cross:.4g}" if cross is not None else "n/a (no crossing in [1e-12, 1e6])")
          + " (model costs: (T/dt) E|B| N vs (T/dt_full) p N, dt_full from c alone; steps capped at T)")
    write_csv(os.path.join(out, "calibrate.csv"), ["h", "h_float", "rms_rb", "rms_full", "model", "evals_rb", "evals_full",
                                                   "seconds_rb", "seconds_full"], rows)
    write_csv(os.path.join(out, "targets.csv"), ["eps", "h_star", "h_measured", "cost_rb_pred", "cost_full_pred",
                                                 "cost_rb_measured", "seconds_measured"], trow)
    _plot(os.path.join(out, "calibrate.png"), res, float(gamma))
    path = os.path.join(out, "optimal_h_calibration.cert.json")
    cert.save(path)
    print(verdict.summary())
    print(f"wrote {out}/calibrate.png, calibrate.csv, targets.csv, optimal_h_calibration.cert.json "
          f"({time.perf_counter() - t0:.1f} s)")
    return EXIT_CODE[verdict.status]


def _plot(path: str, res: dict, gamma: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from nncert.constructions.rbm_experiments import fit_slope

    h = np.array([float(r["h"]) for r in res["rows"]])
    rb = np.array([r["rms"] for r in res["rows"]])
    fu = np.array([r["full_err"] for r in res["rows"]])
    fig, ax = plt.subplots(1, 2, figsize=(12, 4.6))
    ax[0].loglog(h, rb, "o", label="random batch RMS error")
    ax[0].loglog(h, fu, "s", label="full model RMS error (Euler)")
    hh = np.geomspace(h.min(), h.max(), 100)
    ax[0].loglog(hh, np.sqrt(res["S"] * hh) + res["c"] * gamma * hh, "-",
                 label=f"model sqrt(S h) + c gamma h, S={res['S']:.3g}, c={res['c']:.3g}")
    s_rb, a_rb = fit_slope(h, rb)
    ax[0].loglog(hh, np.exp(a_rb) * hh ** s_rb, ":", label=f"fit slope {s_rb:.3f} (random batch)")
    ax[0].loglog(hh, rb[-1] * (hh / h[-1]) ** 0.5, "k--", lw=1, label="reference slope 1/2")
    ax[0].loglog(hh, fu[-1] * (hh / h[-1]), "k-.", lw=1, label="reference slope 1")
    for t in res["targets"]:
        ax[0].axhline(t["eps"], color="gray", lw=0.6)
        ax[0].axvline(t["h_star"], color="C3", lw=0.6)
    ax[0].set_xlabel("switching step h")
    ax[0].set_ylabel("RMS error at T")
    ax[0].set_title("calibration (vertical lines: predicted h*)")
    ax[0].legend(fontsize=7)
    ev = np.array([r["evals"] for r in res["rows"]])
    ax[1].loglog(rb, ev, "o-", label="random batch (measured)")
    ax[1].loglog(fu, [r["full_evals"] for r in res["rows"]], "s-", label="full model (measured)")
    ax[1].set_xlabel("RMS error at T")
    ax[1].set_ylabel("cost (neuron evaluations)")
    ax[1].set_title("cost vs accuracy")
    ax[1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
