"""Issue 5 acceptance evidence (plain script, not collected by pytest):

    python benchmarks/rbm_estimators.py

1. Lambda of Bernoulli(1/3), uniform r=2, uniform r=3 and partition {01,23,45} four ways on seeded N(0,1)
   contributions of shape (time 5, data 3, neurons 6, dim 2) on t = linspace(0, 1, 5): analytic row (exact),
   exact law enumeration (float64), general HT formula (exact), Monte Carlo (20,000 draws, z-test).
2. p = 6, r = 2 and 3: optimal/adversarial balanced partitions by enumeration vs exact ILP vs local search;
   the mean over all balanced partitions vs the uniform value (exact Fractions).
"""

import time

import numpy as np

from nncert.constructions.batch_design import enumerate_extremes, ilp_extreme, local_search
from nncert.constructions.batches import Bernoulli, Partition, Uniform
from nncert.proofs.claims.p2_batch_design import default_contributions, lambda_four_ways
from nncert.verify import rbm_design as rd


def main() -> None:
    f, t = default_contributions(0)
    rng = np.random.default_rng(1)
    print("Lambda four ways (seed 0 data, Monte Carlo seed 1, 20000 draws each)")
    print(f"{'scheme':36} {'analytic':>20} {'enumeration':>20} {'rel.diff':>9} {'general HT':>20} {'MC mean':>12} {'z':>7}")
    t0 = time.perf_counter()
    for s in (Bernoulli(6, "1/3"), Uniform(6, 2), Uniform(6, 3), Partition([[0, 1], [2, 3], [4, 5]])):
        r = lambda_four_ways(s, f, t, rng, draws=20000)
        ht = float(r["ht"])
        rel_a = abs(float(r["analytic"]) - ht) / ht
        rel_e = abs(r["enumeration"] - ht) / ht
        print(f"{r['scheme']:36} {float(r['analytic']):20.15g} {r['enumeration']:20.15g} {max(rel_a, rel_e):9.1e} "
              f"{ht:20.15g} {r['monte_carlo']['mean']:12.6g} {r['monte_carlo']['z']:+7.3f}"
              f"   analytic == HT exactly: {r['analytic'] == r['ht']}")
    print(f"({time.perf_counter() - t0:.2f} s)")
    G = rd.gram_exact(f, t)
    Gf = np.array([[float(v) for v in row] for row in G])
    for r in (2, 3):
        res = enumerate_extremes(G, r)
        n = 6 // r
        ilp_lo, ilp_hi = ilp_extreme(Gf, r), ilp_extreme(Gf, r, maximize=True)
        ls_lo, _ = local_search(Gf, r, np.random.default_rng(0), restarts=20)
        ls_hi, _ = local_search(Gf, r, np.random.default_rng(0), restarts=20, maximize=True)
        mean = sum((rd.partition_objective_exact(G, P) for P in _all(6, r)), res["min_value"] * 0) / res["count"]
        print(f"p=6 r={r}: {res['count']} partitions; optimal {res['min_blocks']} Lambda {float(n * res['min_value']):.10g}"
              f" | ILP {ilp_lo} equal: {rd.partition_objective_exact(G, ilp_lo) == res['min_value']}"
              f" | local search {ls_lo} equal: {rd.partition_objective_exact(G, ls_lo) == res['min_value']}")
        print(f"          adversarial {res['max_blocks']} Lambda {float(n * res['max_value']):.10g}"
              f" | ILP {ilp_hi} equal: {rd.partition_objective_exact(G, ilp_hi) == res['max_value']}"
              f" | local search {ls_hi} equal: {rd.partition_objective_exact(G, ls_hi) == res['max_value']}")
        print(f"          mean over all balanced partitions == uniform Lambda exactly: "
              f"{n * mean == rd.lambda_uniform_exact(G, r)} ({float(n * mean):.10g})")


def _all(p, r):
    from nncert.constructions.batch_design import all_balanced_partitions

    return all_balanced_partitions(p, r)


if __name__ == "__main__":
    main()
