"""``nncert experiment depth``: achieved depth of the width-2 peel network vs 2N+4M-1 and vs label runs.

Data families (all exact: integer coordinates; seeded ``numpy.random.default_rng``):

* ``random-labels``: N uniform integer points in ``[-10^6, 10^6]^d``, labels uniform in ``0..M-1``
  (the worst realistic case: about ``N (1 - 1/M)`` label runs along any direction);
* ``clusters``: M Gaussian clusters (label = cluster) scaled to integers (few runs along a good direction);
* bundled ``iris`` and ``digits``.

For each data set: N, M, d, label runs and peel cost along the chosen direction, depth (hidden layers)
and affine maps of the network, ``2N + 4M - 1``, the exact classification check (``--no-check`` skips
it) and seconds. Writes ``<out>/depth.csv`` and ``<out>/depth.png``.
"""

from __future__ import annotations

import argparse
import csv
import os
import time

from nncert.errors import InvalidArgument

_NS = (10, 30, 100, 300, 1000, 3000, 10000)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "depth",
        help="achieved depth of width-2 memorization vs 2N+4M-1 and vs label runs (plot + CSV)",
        description="Build the width-2 peel network on random data (N up to --max-n), clustered data, Iris and "
        "digits; compare its depth with Paper 1's bound 2N+4M-1 and with the number of label runs along the "
        "chosen projection. Writes depth.csv and depth.png to --out.",
    )
    p.add_argument("--out", default="depth_out", help="output directory (default ./depth_out)")
    p.add_argument("--max-n", type=int, default=10000, help="largest random N (default 10000)")
    p.add_argument("--dims", default="2,5", help="comma-separated dimensions of the random data (default 2,5)")
    p.add_argument("--classes", default="2,10", help="comma-separated numbers of classes (default 2,10)")
    p.add_argument("--seed", type=int, default=0, help="seed of the data generator and direction search")
    p.add_argument("--no-real", action="store_true", help="skip iris and digits")
    p.add_argument("--no-check", action="store_true", help="skip the exact classification check")
    p.set_defaults(run=run)


def _ints(text: str, name: str, lo: int, hi: int) -> list[int]:
    try:
        vals = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise InvalidArgument(f"{name} {text!r} is not a comma-separated list of integers") from None
    if not vals or any(not lo <= v <= hi for v in vals):
        raise InvalidArgument(f"{name} values must be integers in {lo}..{hi}, got {text!r}")
    return vals


def _families(args: argparse.Namespace):  # noqa: ANN202
    import numpy as np

    from nncert.data import from_arrays, load_bundled

    if not 10 <= args.max_n <= 10**5:
        raise InvalidArgument(f"--max-n must be in 10..100000, got {args.max_n}")
    dims = _ints(args.dims, "--dims", 1, 64)
    ms = _ints(args.classes, "--classes", 2, 100)
    ns = [n for n in _NS if n <= args.max_n] + ([args.max_n] if args.max_n not in _NS else [])
    for d in dims:
        for m in ms:
            for n in ns:
                rng = np.random.default_rng([args.seed, d, m, n])
                X = rng.integers(-10**6, 10**6 + 1, size=(n, d))
                y = rng.integers(0, m, size=n)
                yield "random-labels", from_arrays(X.tolist(), y.tolist())
                centres = rng.normal(0.0, 4.0, size=(m, d))
                lab = rng.integers(0, m, size=n)
                pts = np.rint((centres[lab] + rng.normal(0.0, 1.0, size=(n, d))) * 1000).astype(np.int64)
                uniq: dict[tuple[int, ...], int] = {}
                for p, c in zip(map(tuple, pts.tolist()), lab.tolist()):
                    uniq.setdefault(p, c)  # drop exact repeats (rare) so labels never conflict
                yield "clusters", from_arrays([list(p) for p in uniq], list(uniq.values()))
    if not args.no_real:
        yield "iris", load_bundled("iris")
        yield "digits", load_bundled("digits")


def run(args: argparse.Namespace) -> int:
    from nncert.cli._progress import Progress
    from nncert.constructions.memorize import peel
    from nncert.verify.exact import check_classification

    t0 = time.perf_counter()
    os.makedirs(args.out, exist_ok=True)
    rows = []
    ok = True
    with Progress("depth") as prog:
        for k, (family, ds) in enumerate(_families(args)):
            t1 = time.perf_counter()
            res = peel(ds, seed=args.seed)
            net = res.network
            status = "skipped"
            if not args.no_check:
                v = check_classification(net, ds.points, ds.labels).verdict
                status = v.status.value
                ok &= v.holds
            bound = 2 * ds.n + 4 * ds.m - 1
            rows.append({
                "family": family, "N": ds.n, "M": ds.m, "d": ds.d, "label_runs": res.runs, "peel_cost": res.peel_cost,
                "depth_hidden": net.depth, "affine_maps": net.num_affine_maps, "bound_2N+4M-1": bound,
                "depth_over_bound": f"{net.depth / bound:.4f}", "depth_over_runs": f"{net.depth / max(res.runs, 1):.4f}",
                "exact_check": status, "seconds": f"{time.perf_counter() - t1:.3f}",
            })
            prog.update(f"{family} N={ds.n}", min(0.99, k / 30))
    path = os.path.join(args.out, "depth.csv")
    with open(path, "w", newline="") as fh:
        wr = csv.DictWriter(fh, fieldnames=list(rows[0]))
        wr.writeheader()
        wr.writerows(rows)
    _plot(args.out, rows)
    print(f"{'family':<14} {'N':>6} {'M':>3} {'d':>3} {'runs':>6} {'depth':>6} {'2N+4M-1':>8} {'depth/bound':>11} {'check':>7}")
    for r in rows:
        print(f"{r['family']:<14} {r['N']:>6} {r['M']:>3} {r['d']:>3} {r['label_runs']:>6} {r['depth_hidden']:>6} "
              f"{r['bound_2N+4M-1']:>8} {r['depth_over_bound']:>11} {r['exact_check']:>7}")
    worst = max(float(r["depth_over_bound"]) for r in rows)
    print(f"max depth/(2N+4M-1) = {worst:.4f}; every depth <= runs*2: "
          f"{all(r['depth_hidden'] <= 2 * r['label_runs'] for r in rows)}")
    print(f"wrote {path} and {os.path.join(args.out, 'depth.png')} ({time.perf_counter() - t0:.1f} s)")
    return 0 if ok else 1


def _plot(out: str, rows: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.4))
    markers = {"random-labels": "o", "clusters": "s", "iris": "*", "digits": "D"}
    for fam in markers:
        sel = [r for r in rows if r["family"] == fam]
        if not sel:
            continue
        a1.scatter([r["N"] for r in sel], [r["depth_hidden"] for r in sel], marker=markers[fam], s=30 if len(sel) > 1 else 90,
                   alpha=0.7, label=f"{fam}: depth (hidden layers)")
        a2.scatter([r["label_runs"] for r in sel], [r["depth_hidden"] for r in sel], marker=markers[fam],
                   s=30 if len(sel) > 1 else 90, alpha=0.7, label=fam)
    ns = np.array(sorted({r["N"] for r in rows}), dtype=float)
    m_all = sorted({r["M"] for r in rows})
    for m in sorted({m_all[0], m_all[-1]}):
        a1.plot(ns, 2 * ns + 4 * m - 1, "--", lw=1, label=f"2N+4M-1, M={m}")
    a1.plot(ns, ns, "k:", lw=1, label="N")
    a1.set_xscale("log")
    a1.set_yscale("log")
    a1.set_xlabel("N (distinct points)")
    a1.set_ylabel("depth (hidden layers)")
    a1.set_title("achieved depth vs Paper 1's bound")
    a1.legend(fontsize=7, loc="upper left")
    runs = np.array(sorted({max(r["label_runs"], 1) for r in rows}), dtype=float)
    a2.plot(runs, runs, "k:", lw=1, label="depth = runs")
    a2.plot(runs, 2 * runs, "k--", lw=1, label="depth = 2 runs")
    a2.set_xscale("log")
    a2.set_yscale("log")
    a2.set_xlabel("label runs along the chosen projection")
    a2.set_ylabel("depth (hidden layers)")
    a2.set_title("depth vs label runs")
    a2.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "depth.png"), dpi=120)
    plt.close(fig)
