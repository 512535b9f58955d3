"""Issue 5: HT estimators, negative controls, symbolic identities, statistics, design and optimal h."""

from __future__ import annotations

import time
from fractions import Fraction as F

import numpy as np
import pytest

from nncert.constructions.batch_design import all_balanced_partitions, enumerate_extremes, ilp_extreme, local_search
from nncert.constructions.batches import Bernoulli, FiniteFamily, Partition, Uniform
from nncert.constructions.estimators import (
    find_bias_counterexample,
    forced_nonempty_bernoulli,
    ht_design,
    ht_estimate,
    ht_exact,
    ht_symbolic,
    inverted_dropout,
    min_pi_scaling,
)
from nncert.core import Status
from nncert.errors import InvalidArgument
from nncert.verify import optimal_h as oh
from nncert.verify import rbm_design as rd
from nncert.verify import rbm_symbolic as rs
from nncert.verify.rbm_stats import integrated_sq_errors, mean_var_check, z_test


# ---- estimators -------------------------------------------------------------------------------

def test_ht_numeric_matches_exact() -> None:
    f = [[F(1, 2), F(-3)], [F(2), F(1, 3)], [F(-1), F(5, 4)]]
    s = FiniteFamily(3, [[0, 1], [2], [0, 1, 2]], [F(1, 2), F(1, 4), F(1, 4)])
    w = [1 / v for v in s.pi()]  # pi = (3/4, 3/4, 1/2)
    assert w == [F(4, 3), F(4, 3), F(2)]
    exact = ht_exact(f, [0, 2], w)
    assert exact == (F(1, 2) * F(4, 3) - 2, -3 * F(4, 3) + F(5, 2))
    num = ht_estimate(np.array([[float(v) for v in row] for row in f]), np.array([True, False, True]), s)
    assert np.allclose(num, [float(v) for v in exact], rtol=1e-15)
    many = ht_estimate(np.ones((4, 3, 2)), np.array([[1, 0, 0], [0, 1, 1]], dtype=bool), s)
    assert many.shape == (2, 4, 2) and np.allclose(many[1], 4 / 3 + 2)


def test_ht_symbolic_is_sympy() -> None:
    import sympy

    f0, f1, q = sympy.symbols("f0 f1 q")
    assert sympy.simplify(ht_symbolic([[f0], [f1]], [0, 1], [q, q])[0] - (f0 + f1) / q) == 0


def test_negative_controls_are_biased_with_hand_values() -> None:
    # forced non-empty Bernoulli(1/2) with p = 2: E F^h = F / (1 - 1/4) = 4F/3
    d = forced_nonempty_bernoulli(2, "1/2")
    assert d.bias_coefficients() == (F(1, 3), F(1, 3))
    assert d.expectation([[F(3)], [F(0)]]) == (F(4),)
    cx = find_bias_counterexample(min_pi_scaling(), d=2)
    assert cx is not None and cx["expectation"] == (F(2), F(2)) and cx["field"] == (F(1), F(1))
    assert find_bias_counterexample(ht_design(Uniform(4, 2))) is None
    # min-pi scaling is unbiased when all pi are equal
    assert all(c == 0 for c in min_pi_scaling(Uniform(3, 2)).bias_coefficients())


def test_inverted_dropout_matches_ht_for_bernoulli() -> None:
    s = Bernoulli(3, "2/5")
    x = [F(1), F(-2), F(7, 3)]
    mask = [True, False, True]
    assert inverted_dropout(x, mask, "3/5") == tuple(v / F(2, 5) if m else 0 for v, m in zip(x, mask))
    assert sum(inverted_dropout(x, mask, 1 - s.q)) == ht_exact([[v] for v in x], [0, 2], [1 / v for v in s.pi()])[0]
    with pytest.raises(InvalidArgument, match="drop"):
        inverted_dropout(x, mask, 1)


# ---- symbolic ---------------------------------------------------------------------------------

def test_symbolic_identities_hold_small_p() -> None:
    res = rs.prove_all(range(1, 5), d=2)
    assert res and all(v.holds for v in res), [v.summary() for v in res if not v.holds][:3]
    names = {v.claim.split(" [")[0] for v in res}
    assert {"law", "pi table", "unbiased", "variance HT", "row"} <= names
    assert any(v.claim.startswith("partition average [p=4, r=2]") for v in res)


def test_symbolic_detects_a_wrong_row_and_wrong_pi() -> None:
    ctx = rs._Ctx(3, 1)
    inst = rs.instances("uniform", 3, ctx)[1]  # r = 2
    inst.rows = [("wrong coefficient", lambda c: (c.c(2) * c.g_sq(), c.one))]  # true coefficient is 3/4
    out = rs.prove_instance(inst, ctx)
    row = [v for v in out if v.claim.startswith("row")][0]
    assert row.status is Status.REFUTED and "difference" in row.counterexample
    inst2 = rs.instances("bernoulli", 2, ctx)[0]
    inst2.pi = [(ctx.q * ctx.q, ctx.one)] * 2  # pi_i = q^2 is wrong
    out2 = rs.prove_instance(inst2, ctx)
    assert [v.status for v in out2 if v.claim.startswith("unbiased")] == [Status.REFUTED]


def test_controls_refuted_with_exact_counterexample() -> None:
    d = forced_nonempty_bernoulli(3, "1/3")
    v = rs.check_design_unbiased(d.name, 3, [(tuple(b), q) for b, q in d.law], d.weights)
    assert v.status is Status.REFUTED
    # E F^h at f = e_0: 1/(1 - (2/3)^3) = 27/19, computed by hand
    assert v.counterexample["E_Fh"] == "27/19" and v.counterexample["F"] == "1"
    ok = rs.check_design_unbiased("ht", 2, [((0,), F(1, 2)), ((0, 1), F(1, 2))], [F(1), F(2)])
    assert ok.holds


def test_general_derivation_and_counts() -> None:
    assert all(v.holds for v in rs.general_derivation())
    assert rs.count_balanced_partitions(6, 2) == 15 and rs.count_balanced_partitions(8, 2) == 105
    assert len(list(rs.balanced_partitions(8, 4))) == 35


# ---- statistics and design (acceptance 2 and 3) ----------------------------------------------

def acceptance_data():  # noqa: ANN201
    rng = np.random.default_rng(2026)
    return rng.standard_normal((5, 3, 6, 2)), np.linspace(0.0, 1.0, 5)


def test_lambda_four_ways_agree() -> None:
    from nncert.proofs.claims.p2_batch_design import lambda_four_ways

    f, t = acceptance_data()
    rng = np.random.default_rng(11)
    schemes = [Bernoulli(6, "1/3"), Uniform(6, 2), Uniform(6, 3), Partition([[0, 1], [2, 3], [4, 5]])]
    for s in schemes:
        res = lambda_four_ways(s, f, t, rng, draws=20000)
        ht = float(res["ht"])
        assert res["analytic"] == res["ht"]  # exact equality of two different formulas
        assert abs(res["enumeration"] - ht) <= 1e-12 * abs(ht)
        assert abs(res["monte_carlo"]["z"]) <= 4, res


def test_lambda_rows_against_brute_force_float() -> None:
    f, t = acceptance_data()
    s = Uniform(6, 2)
    law = s.enumerate_law()
    masks = np.zeros((len(law), 6), dtype=bool)
    for k, (b, _) in enumerate(law):
        masks[k, sorted(b)] = True
    brute = float(np.mean(integrated_sq_errors(f, t, masks, [1 / 3] * 6)))  # uniform law: plain mean
    G = rd.gram_exact(f, t)
    assert abs(float(rd.lambda_uniform_exact(G, 2)) - brute) <= 1e-12 * brute
    assert sum(sum(row) for row in G) == 0  # exact zero row sums


@pytest.mark.parametrize("r", [2, 3])
def test_design_p6_enumeration_ilp_search_agree(r) -> None:
    f, t = acceptance_data()
    G = rd.gram_exact(f, t)
    res = enumerate_extremes(G, r)
    Gf = np.array([[float(v) for v in row] for row in G])
    for maximize, key in ((False, "min"), (True, "max")):
        ilp = ilp_extreme(Gf, r, maximize=maximize)
        assert rd.partition_objective_exact(G, ilp) == res[f"{key}_value"]
        ls_blocks, _ = local_search(Gf, r, np.random.default_rng(0), restarts=20, maximize=maximize)
        assert rd.partition_objective_exact(G, ls_blocks) == res[f"{key}_value"]
    # brute force over the independent enumeration, and the exact mean == uniform
    vals = [rd.partition_objective_exact(G, P) for P in rs.balanced_partitions(6, r)]
    assert min(vals) == res["min_value"] and max(vals) == res["max_value"]
    n = 6 // r
    assert n * sum(vals, F(0)) / len(vals) == rd.lambda_uniform_exact(G, r)
    assert res["min_value"] >= rd.row_lower_bound_exact(G, r)
    assert float(res["min_value"]) >= rd.spectral_lower_bound(Gf, r)


def test_mean_var_check_and_z() -> None:
    s = Uniform(5, 2)
    f = np.arange(10, dtype=float).reshape(5, 2) - 4
    masks = s.sample_many(np.random.default_rng(3), 20000)
    exact_var = float(5 * 3 / (2 * 4)) * float(((f - f.sum(0) / 5) ** 2).sum())
    assert mean_var_check("uniform", f, masks, s.pi(), exact_var, seed=3).holds
    wrong = mean_var_check("uniform", f, masks, s.pi(), exact_var * 1.2, seed=3)
    assert wrong.status is Status.REFUTED
    assert z_test(np.ones(5), 1.0)["passed"] and not z_test(np.ones(5), 2.0)["passed"]


def test_local_search_large_p_near_bound() -> None:
    rng = np.random.default_rng(5)
    f = rng.standard_normal((4, 5, 16, 2))
    Gf = rd.gram_float(f)
    blocks, val = local_search(Gf, 4, np.random.default_rng(0), restarts=4)
    assert sorted(i for b in blocks for i in b) == list(range(16)) and all(len(b) == 4 for b in blocks)
    assert val >= rd.spectral_lower_bound(Gf, 4)
    assert abs(val - sum(Gf[np.ix_(b, b)].sum() for b in blocks)) < 1e-9
    with pytest.raises(InvalidArgument, match="too large"):
        enumerate_extremes([[F(0)] * 14 for _ in range(14)], 2)
    assert len(all_balanced_partitions(12, 6)) == 462


# ---- optimal h (acceptance 4) ----------------------------------------------------------------

def test_h_star_default_instance() -> None:
    eps, S, c, g = F(1, 20), F(1, 50), F(1, 2), F(1, 4)
    assert oh.exact_h_star(eps, S, c, g) == F(2, 25)  # value from the issue
    # err(2/25) = sqrt(1/625) + (1/8)(2/25) = 1/25 + 1/100 = 1/20 (by hand)
    assert oh.rms_error_vs_eps(F(2, 25), eps, S, c * g) == 0
    assert oh.rms_error_vs_eps(F(2, 25) - F(1, 10**6), eps, S, c * g) == -1
    assert oh.rms_error_vs_eps(F(2, 25) + F(1, 10**6), eps, S, c * g) == 1
    lo, hi = oh.bracket(eps, S, c, g, "ms")
    assert lo <= hi and abs(float(lo) - (2 * 89**0.5 - 16) / 25) < 1e-12


def test_z3_proof_within_budget_and_detects_wrong_formula() -> None:
    t0 = time.perf_counter()
    verdicts, secs = oh.z3_proof(30)
    assert time.perf_counter() - t0 <= 30
    assert all(v.holds for v in verdicts) and len(verdicts) == 5
    wrong, _ = oh.z3_proof(30, numerator=3)
    assert wrong[0].status is Status.REFUTED


def test_invalid_inputs() -> None:
    with pytest.raises(InvalidArgument):
        oh.exact_h_star(F(0), F(1), F(1), F(1))
    with pytest.raises(InvalidArgument, match="shape"):
        rd.check_contributions(np.zeros((2, 3)))
    with pytest.raises(InvalidArgument, match="NaN"):
        rd.check_contributions(np.full((1, 1, 2, 1), np.nan))
    with pytest.raises(InvalidArgument, match="increasing"):
        rd.check_contributions(np.zeros((2, 1, 2, 1)), [1.0, 0.0])
    with pytest.raises(InvalidArgument, match="family"):
        rs.prove_family("nope", 2)
