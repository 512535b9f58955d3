"""Benchmark: ensemble RK4 throughput of random-batch neural ODEs (issue 6, acceptance 4).

For p = 24 and p = 512: K schedules x n points integrated together with RK4 (T = 1, h = 1/8, dt = 1/64),
full model (every neuron in every batch, the same ensemble code path) vs uniform r = p/8. Prints
throughput in (schedules x steps) per second and the time ratio full / random batch, which should follow
p / r = 8 (cost proportional to E|B|); the acceptance asks for a ratio >= 4 at p = 512.

Run: ``python benchmarks/rbm.py [--repeats 3] [--schedules 64] [--points 32]``
"""

from __future__ import annotations

import argparse
import os
import time
from fractions import Fraction

import numpy as np

from nncert.constructions.batches import Full, Uniform
from nncert.constructions.rbm_fields import random_classification_field
from nncert.verify.rbm_dynamics import integrate, make_grid


def bench(p: int, K: int, n: int, repeats: int) -> dict[str, float]:
    fld = random_classification_field(p, seed=1)
    g = make_grid(1, Fraction(1, 8), Fraction(1, 64))
    x0 = np.random.default_rng(0).normal(size=(n, 2))
    rng = np.random.default_rng(1)
    out = {}
    for name, sch in (("full", Full(p)), ("uniform", Uniform(p, p // 8))):
        masks = np.stack([sch.sample_many(rng, g.n_switch) for _ in range(K)])
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            integrate(fld, x0, g, "rk4", masks, sch.pi(), record_every=g.T)
            best = min(best, time.perf_counter() - t0)
        out[name] = best
    # the full model through its dedicated path (no masks: one dense product per stage), K copies of the points
    X = np.repeat(x0[None], K, axis=0)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        integrate(fld, X, g, "rk4", record_every=g.T)
        best = min(best, time.perf_counter() - t0)
    out["full_dense"] = best
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--schedules", type=int, default=64)
    ap.add_argument("--points", type=int, default=32)
    a = ap.parse_args()
    steps = 64
    print(f"ensemble RK4: K={a.schedules} schedules x n={a.points} points, {steps} steps (T=1, h=1/8, dt=1/64), "
          f"best of {a.repeats}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print("full = every neuron in every batch through the ensemble path; full-dense = the masks-free dense path")
    print(f"{'p':>5}{'r':>5}{'full s':>10}{'dense s':>10}{'rbm s':>10}{'full sched*steps/s':>20}{'dense':>10}"
          f"{'rbm sched*steps/s':>19}{'full/rbm':>10}{'dense/rbm':>10}")
    for p in (24, 512):
        t = bench(p, a.schedules, a.points, a.repeats)
        work = a.schedules * steps
        print(f"{p:>5}{p // 8:>5}{t['full']:>10.4f}{t['full_dense']:>10.4f}{t['uniform']:>10.4f}{work / t['full']:>20.0f}"
              f"{work / t['full_dense']:>10.0f}{work / t['uniform']:>19.0f}{t['full'] / t['uniform']:>10.2f}"
              f"{t['full_dense'] / t['uniform']:>10.2f}")


if __name__ == "__main__":
    main()
