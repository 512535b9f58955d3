"""Benchmark: construction + exact check of width-2 memorization networks (issue 2, item 9).

    python benchmarks/memorize.py            # full table, naive baseline on all 2000 points (a few minutes)
    python benchmarks/memorize.py --quick    # naive baseline timed on 200 of the 2000 points, scaled x10
                                             # (naive cost is a sum of independent per-point costs)

Prints one row per data set: N, d, M, label runs, depth (hidden layers), 2N+4M-1, construction seconds,
exact-check seconds. Synthetic data: integer coordinates / 1000 in [0, 1000), d = 8, M = 10, labels uniform,
seed 0. Then the exact checker against naive Fraction layer-by-layer evaluation on the same N = 2000
network and points, measured in this run.
"""

from __future__ import annotations

import argparse
import sys
import time
from fractions import Fraction

import numpy as np

from nncert.constructions.memorize import peel
from nncert.data import from_arrays, load_bundled
from nncert.verify.exact import check_classification, evaluate_many, evaluate_naive


def synthetic(n: int, d: int = 8, m: int = 10, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 10**6, size=(n, d))
    y = rng.integers(0, m, size=n)
    return from_arrays([[Fraction(int(v), 1000) for v in row] for row in X], [int(v) for v in y], name=f"synthetic N={n}")


def row(name, ds):
    t0 = time.perf_counter()
    res = peel(ds)
    t1 = time.perf_counter()
    verdict = check_classification(res.network, ds.points, ds.labels).verdict
    t2 = time.perf_counter()
    return [name, ds.n, ds.d, ds.m, res.runs, res.depth, res.bound, f"{t1 - t0:.2f}", f"{t2 - t1:.2f}",
            f"{t2 - t0:.2f}", verdict.status.value]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="time the naive baseline on 200 points and scale")
    ap.add_argument("--max-n", type=int, default=100_000, help="largest synthetic N (default 10^5)")
    args = ap.parse_args()
    iris, digits = load_bundled("iris"), load_bundled("digits")
    sets = [
        ("iris", iris),
        ("iris setosa vs rest", iris.relabel([["setosa"], ["versicolor", "virginica"]])),
        ("iris versicolor vs virginica", iris.relabel([["versicolor"], ["virginica"]])),
        ("digits", digits),
        ("digits 0-4 vs 5-9", digits.relabel([[str(k) for k in range(5)], [str(k) for k in range(5, 10)]])),
    ]
    for n in (10**3, 10**4, 10**5):
        if n <= args.max_n:
            sets.append((f"synthetic N={n}", None))
    head = ["data", "N", "d", "M", "runs", "depth", "2N+4M-1", "construct s", "check s", "total s", "verdict"]
    rows = []
    for name, ds in sets:
        t = time.perf_counter()
        if ds is None:
            ds = synthetic(int(name.split("=")[1]))
        print(f"... {name} (data ready in {time.perf_counter() - t:.1f} s)", file=sys.stderr)
        rows.append(row(name, ds))
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    print(" | ".join(h.ljust(w) for h, w in zip(head, widths)))
    print("-|-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(str(v).ljust(w) for v, w in zip(r, widths)))

    ds = synthetic(2000)
    net = peel(ds).network
    t0 = time.perf_counter()
    fast = evaluate_many(net, ds.points)
    t_fast = time.perf_counter() - t0
    pts = ds.points[:200] if args.quick else ds.points
    t0 = time.perf_counter()
    naive = evaluate_naive(net, pts)
    t_naive = (time.perf_counter() - t0) * (len(ds.points) / len(pts))
    assert naive == fast[: len(pts)], "evaluators disagree"
    how = "measured on 200 points x10" if args.quick else "measured on all 2000 points"
    print(f"\nN=2000 (depth {net.depth}): exact checker {t_fast:.3f} s, naive Fraction {t_naive:.1f} s ({how}); "
          f"ratio {t_naive / t_fast:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
