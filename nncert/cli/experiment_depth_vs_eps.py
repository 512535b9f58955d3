"""``nncert experiment depth-vs-eps``: depth and certified L^p error of the width d+1 construction vs eps.

For each bundled function (``|x - 1/2|``, ``sin(pi x)`` on [0, 1]; ``x1*x2`` and a piecewise-linear bump on
[0, 1]^2) and eps on a log grid: grid size n, depth (hidden layers), the depth formula's value, the
certified bound, the numeric estimate (network evaluated exactly at the quadrature points) and the
conditioning (max |parameter|, max float64-vs-exact deviation). The plot shows depth vs 1/eps on log-log
axes with the theorem's predicted slope d (depth = O(eps^-d)) drawn through the last point, and the fitted
slope of log depth vs log(1/eps) per function. Writes ``depth_vs_eps.csv`` and ``depth_vs_eps.png``.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import time
from fractions import Fraction

from nncert.errors import InvalidArgument

BUMP = "(1 - 2*abs(x1 - 1/2) - 2*abs(x2 - 1/2) + abs(1 - 2*abs(x1 - 1/2) - 2*abs(x2 - 1/2)))/2"
FUNCTIONS = {
    "abs": ("abs(x1 - 1/2)", "0:1"),
    "sin": ("sin(pi*x1)", "0:1"),
    "prod": ("x1*x2", "0:1,0:1"),
    "bump": (BUMP, "0:1,0:1"),
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "depth-vs-eps",
        help="depth and certified L^p error of the width d+1 approximation vs eps (plot + CSV)",
        description="Run the width d+1 construction on the bundled functions for eps = 1/5 ... 1/(max) on a log "
        "grid; record n, depth, depth formula, certified bound, numeric error and conditioning; fit the slope of "
        "log depth vs log(1/eps) (theory: d). Writes depth_vs_eps.csv and depth_vs_eps.png to --out.",
    )
    p.add_argument("--out", default="depth_vs_eps_out", help="output directory")
    p.add_argument("--p", default="2", help="exponent p (default 2)")
    p.add_argument("--functions", default="abs,sin,prod,bump", help="comma-separated subset of abs,sin,prod,bump")
    p.add_argument("--max-inv-eps-1d", type=int, default=80, help="largest 1/eps for d = 1 (default 80)")
    p.add_argument("--max-inv-eps-2d", type=int, default=20, help="largest 1/eps for d = 2 (default 20)")
    p.add_argument("--no-numeric", action="store_true", help="skip the numeric estimate")
    p.set_defaults(run=run)


def _grid(top: int) -> list[int]:
    vals = []
    k = 5
    while k <= top:
        vals.append(k)
        k *= 2
    if vals and vals[-1] != top and top >= 5:
        vals.append(top)
    return vals


def _slope(xs: list[float], ys: list[float]) -> float:
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else float("nan")


def run(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from nncert.constructions.approximate import approximate, parse_p
    from nncert.verify.expr import parse
    from nncert.verify.lp_error import lp_error

    p = parse_p(args.p)
    names = [t.strip() for t in args.functions.split(",") if t.strip()]
    unknown = [t for t in names if t not in FUNCTIONS]
    if not names or unknown:
        raise InvalidArgument(f"--functions: unknown {unknown or names!r}; choose from {list(FUNCTIONS)}")
    for name, val, lo, hi in (("--max-inv-eps-1d", args.max_inv_eps_1d, 5, 640),
                              ("--max-inv-eps-2d", args.max_inv_eps_2d, 5, 80)):
        if not lo <= val <= hi:
            raise InvalidArgument(f"{name} must be in {lo}..{hi}, got {val}")
    os.makedirs(args.out, exist_ok=True)
    rows = []
    for name in names:
        text, dom = FUNCTIONS[name]
        d = dom.count(":")
        for inv in _grid(args.max_inv_eps_1d if d == 1 else args.max_inv_eps_2d):
            eps = Fraction(1, inv)
            t0 = time.perf_counter()
            res = approximate(text, dom, p, eps)
            secs = time.perf_counter() - t0
            est = dev = float("nan")
            if not args.no_numeric:
                rep = lp_error(res.network, [parse(text, d)], res.domain, p, n=res.n, eta=res.eta, targets=res.targets,
                               target_error=res.target_error, lipschitz=res.regularity["lipschitz"], exact=False)
                est, dev = rep.numeric.estimate, rep.numeric.max_float_deviation
            mx = max(abs(v) for v in res.network.parameters())
            rows.append({
                "function": name, "expr": text, "d": d, "p": str(p), "eps": f"1/{inv}", "n": res.n,
                "depth_hidden": res.depth, "depth_formula": res.depth_formula, "width": res.width,
                "certified_bound": f"{float(res.bound):.6g}", "numeric_error": f"{est:.6g}",
                "max_abs_parameter": f"{float(mx):.4g}", "max_float_deviation": f"{dev:.3g}",
                "seconds": f"{secs:.2f}",
            })
            print(f"{name:5s} eps=1/{inv:<4d} n={res.n:<4d} depth={res.depth:<6d} formula={res.depth_formula:<7d} "
                  f"bound={float(res.bound):.4g} numeric={est:.4g} max|param|={float(mx):.3g} float-dev={dev:.3g}",
                  flush=True)
    csv_path = os.path.join(args.out, "depth_vs_eps.csv")
    with open(csv_path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    fig, ax = plt.subplots(figsize=(7, 5))
    for name in names:
        rs = [r for r in rows if r["function"] == name]
        xs = [1 / float(Fraction(r["eps"])) for r in rs]
        ys = [r["depth_hidden"] for r in rs]
        slope = _slope([math.log(x) for x in xs], [math.log(y) for y in ys]) if len(rs) > 1 else float("nan")
        d = rs[0]["d"]
        line, = ax.loglog(xs, ys, "o-", label=f"{name} (d={d}): fitted slope {slope:.2f}")
        ref = [ys[-1] * (x / xs[-1]) ** d for x in xs]
        ax.loglog(xs, ref, "--", color=line.get_color(), alpha=0.5, label=f"predicted slope {d} (O(eps^-{d}))")
        print(f"{name}: fitted slope of log depth vs log(1/eps) = {slope:.3f} (theory {d})")
    ax.set_xlabel("1/eps")
    ax.set_ylabel("depth (hidden layers)")
    ax.set_title(f"width d+1 approximation in L^{p}: depth vs eps")
    ax.legend(fontsize=7)
    fig.tight_layout()
    png_path = os.path.join(args.out, "depth_vs_eps.png")
    fig.savefig(png_path, dpi=110)
    plt.close(fig)
    print(f"wrote {csv_path} and {png_path}")
    return 0
