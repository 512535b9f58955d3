"""``nncert experiment regularized [DATA]``: what regularized training reaches vs the certified bounds.

Builds the exact width-2 network theta* (small-norm rescaled peel network, exact; its bounds are the
claim ``P1.memorization.regularized_loss``), then trains width-2 networks of the same depth with
full-batch Adam in numpy (float64; several seeds, lambda on a log grid) and writes

* ``<out>/regularized_runs.csv``: one row per run (seed, lambda, training loss, ||theta||^2, J, bounds,
  and whether each is below its bound),
* ``<out>/regularized_summary.csv``: per lambda, the certified exact bounds and the fraction of runs
  below them,
* ``<out>/regularized.png``: training loss and ||theta||^2 against lambda with the bounds as lines,
* ``<out>/regularized_loss.cert.json``: the certificate of the exact bounds.
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from fractions import Fraction

from nncert.errors import InvalidArgument


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "regularized",
        help="train width-2 nets with an L2 penalty and compare with the certified bounds lambda ||theta*||^2",
        description="Certified exact bounds for J_lambda = mean squared loss + lambda ||theta||^2 (from an exact "
        "width-2 interpolating network theta*) against numpy training of the same architecture "
        "(full-batch Adam, several seeds, lambda on a log grid). Writes PNG + CSV + certificate to --out.",
    )
    p.add_argument("data", nargs="?", default="iris", help="CSV file or bundled name (default iris)")
    p.add_argument("--label-column", default=None, help="label column name or index (default: last)")
    p.add_argument("--out", default="regularized_out", help="output directory (default ./regularized_out)")
    p.add_argument("--seeds", type=int, default=5, help="training seeds per lambda (default 5)")
    p.add_argument("--lambda-max", default="1e-1", help="largest lambda (default 1e-1)")
    p.add_argument("--lambda-min", default="1e-6", help="smallest lambda (default 1e-6)")
    p.add_argument("--per-decade", type=int, default=1, help="lambdas per decade (default 1)")
    p.add_argument("--steps", type=int, default=4000, help="Adam steps per run (default 4000)")
    p.add_argument("--lr", type=float, default=1e-2, help="initial Adam learning rate (default 1e-2)")
    p.add_argument("--penalty", choices=("all", "weights"), default="all",
                   help="penalize all parameters (default) or weights only")
    p.add_argument("--init", choices=("active", "he"), default="active", help="initialisation (see docs)")
    p.set_defaults(run=run)


def _lambda_grid(lmax: Fraction, lmin: Fraction, per_decade: int) -> list[Fraction]:
    """Exact log grid: powers of ten and, between them, 10^(k/per_decade) rounded to 3 digits."""
    import math

    if not (0 < lmin <= lmax) or per_decade < 1 or per_decade > 10:
        raise InvalidArgument("need 0 < --lambda-min <= --lambda-max and 1 <= --per-decade <= 10")
    hi, lo = math.log10(lmax), math.log10(lmin)
    n = int(round((hi - lo) * per_decade))
    out = []
    for k in range(n + 1):
        e = hi - k / per_decade
        if abs(e - round(e)) < 1e-9:
            v = Fraction(10) ** int(round(e))
        else:
            v = Fraction(f"{10 ** e:.3g}")
        out.append(v)
    return sorted(set(out), reverse=True)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from nncert.cli._progress import Progress
    from nncert.constructions.train_numpy import train_width2
    from nncert.core import fmt, parse_decimal
    from nncert.data import load
    from nncert.proofs.claims.p1_regularized_loss import certify, check

    t0 = time.perf_counter()
    if args.seeds < 1 or args.steps < 1 or not args.lr > 0:
        raise InvalidArgument("--seeds and --steps must be >= 1 and --lr > 0")
    lams = _lambda_grid(parse_decimal(args.lambda_max, "--lambda-max"), parse_decimal(args.lambda_min, "--lambda-min"),
                        args.per_decade)
    data = load(args.data, args.label_column)
    if data.m < 2:
        raise InvalidArgument("need at least two classes: with one class theta* = 0 and every bound is 0")
    os.makedirs(args.out, exist_ok=True)
    cert = certify(data, lambdas=lams)
    verdict = check(cert)
    cert.save(os.path.join(args.out, "regularized_loss.cert.json"))
    p = cert.params
    depth = int(p["depth"])
    weights_only = args.penalty == "weights"
    theta = Fraction(p["theta_sq_weights" if weights_only else "theta_sq"])
    t_cert = time.perf_counter() - t0
    X = np.array([[float(v) for v in pt] for pt in data.points])
    y = np.array(data.labels, dtype=float)
    with Progress("regularized") as prog:
        res = train_width2(X, y, depth, list(range(args.seeds)), [float(v) for v in lams], steps=args.steps, lr=args.lr,
                           penalize_biases=not weights_only, init=args.init,
                           progress=lambda f: prog.update("training", f))
    t_train = time.perf_counter() - t0 - t_cert
    # Comparisons with the exact bounds: floats are compared against the exact rational (Fraction(float) is exact).
    rows, summary = [], []
    pen = res.norm_sq_weights if weights_only else res.norm_sq
    for lam in lams:
        bound = lam * theta
        idx = [i for i in range(len(res.lambdas)) if res.lambdas[i] == float(lam)]
        below_loss = [Fraction(float(res.loss[i])) <= bound for i in idx]
        below_j = [Fraction(float(res.objective[i])) <= bound for i in idx]
        below_norm = [Fraction(float(pen[i])) <= theta for i in idx]
        for i, bl, bj, bn in zip(idx, below_loss, below_j, below_norm):
            rows.append([int(res.seeds[i]), fmt(lam), f"{res.loss[i]:.6g}", f"{pen[i]:.6g}", f"{res.objective[i]:.6g}",
                         f"{res.rounded_accuracy[i]:.4f}", fmt(bound), f"{float(bound):.6g}", f"{float(theta):.6g}",
                         int(bl), int(bj), int(bn)])
        summary.append([fmt(lam), fmt(bound), f"{float(bound):.6g}", fmt(theta) if len(fmt(theta)) < 200 else p["theta_sq"],
                        f"{float(theta):.6g}", len(idx), f"{np.median(res.loss[idx]):.6g}",
                        f"{sum(below_loss) / len(idx):.3f}", f"{sum(below_j) / len(idx):.3f}",
                        f"{sum(below_norm) / len(idx):.3f}"])
    with open(os.path.join(args.out, "regularized_runs.csv"), "w", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow(["seed", "lambda", "train_loss", "norm_sq", "J", "rounded_accuracy", "bound_exact",
                     "bound_float", "theta_star_sq_float", "loss_below_bound", "J_below_bound", "norm_below_theta_star"])
        wr.writerows(rows)
    with open(os.path.join(args.out, "regularized_summary.csv"), "w", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow(["lambda", "bound_lambda_theta_star_sq_exact", "bound_float", "theta_star_sq_exact",
                     "theta_star_sq_float", "runs", "median_train_loss", "frac_loss_below_bound", "frac_J_below_bound",
                     "frac_norm_below_theta_star"])
        wr.writerows(summary)
    _plot(args.out, lams, theta, res, pen, data, depth, args.penalty)
    print(f"data {data.name or args.data}: N={data.n} M={data.m} d={data.d}; theta*: width 2, depth {depth}, "
          f"||theta*||^2 = {float(theta):.6g} ({'weights only' if weights_only else 'all parameters'}); "
          f"certificate {verdict.status.value}")
    print(f"{'lambda':>10} {'bound':>12} {'median loss':>12} {'loss<=bound':>11} {'J<=bound':>9} {'norm<=||theta*||^2':>18}")
    for s in summary:
        print(f"{float(Fraction(s[0])):>10.0e} {float(Fraction(s[1])):>12.4g} {s[6]:>12} {s[7]:>11} {s[8]:>9} {s[9]:>18}")
    print(f"wrote {args.out}/regularized.png, regularized_runs.csv, regularized_summary.csv, regularized_loss.cert.json")
    print(f"seconds: certify {t_cert:.1f}, train {t_train:.1f} ({len(res.loss)} runs x {args.steps} steps), "
          f"total {time.perf_counter() - t0:.1f}")
    return 0 if verdict.holds else 1


def _plot(out: str, lams, theta: Fraction, res, pen, data, depth: int, penalty: str) -> None:  # noqa: ANN001
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    lv = np.array([float(v) for v in lams])
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2))
    a1.scatter(res.lambdas, np.maximum(res.loss, 1e-12), s=14, alpha=0.6, label="training loss (runs)")
    a1.scatter(res.lambdas, res.objective, s=10, marker="x", alpha=0.6, label="J_lambda (runs)")
    a1.plot(lv, lv * float(theta), "k-", label="certified bound lambda ||theta*||^2")
    a1.set_xscale("log")
    a1.set_yscale("log")
    a1.set_xlabel("lambda")
    a1.set_ylabel("mean squared training loss / J_lambda")
    a1.set_title(f"{data.name or 'data'}: width 2, depth {depth}")
    a1.legend(fontsize=8)
    a2.scatter(res.lambdas, pen, s=14, alpha=0.6, label="||theta||^2 (runs)")
    a2.axhline(float(theta), color="k", label="||theta*||^2 (bound for minimizers)")
    a2.set_xscale("log")
    a2.set_yscale("log")
    a2.set_xlabel("lambda")
    a2.set_ylabel(f"||theta||^2 ({penalty} parameters)" if penalty == "all" else "||theta||^2 (weights only)")
    a2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "regularized.png"), dpi=120)
    plt.close(fig)
