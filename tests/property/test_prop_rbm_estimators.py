"""Property tests (issue 5, acceptance 5): unbiasedness and the HT variance identity over random finite
families with rational probabilities, >= 200 examples each; pi_i = 0 is rejected.

Each property compares two independent computations: the expectation/variance obtained by brute-force
enumeration of the batches with exact random contributions, against ``F`` / the closed HT formula built
from the scheme's own ``pi`` and ``pi_pair`` (constructions) and from the trusted re-derivation
(``nncert.verify.rbm_exact``).
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nncert.constructions.batches import FiniteFamily
from nncert.constructions.estimators import ht_design
from nncert.errors import InvalidArgument
from nncert.strategies import batch_schemes
from nncert.verify import rbm_exact as rx

SETTINGS = settings(max_examples=200, deadline=None, derandomize=True)
rationals = st.fractions(min_value=-5, max_value=5, max_denominator=7)


@st.composite
def families(draw, max_p: int = 5, max_batches: int = 5):  # noqa: ANN001, ANN201
    """Random finite families: batches over 0..p-1, positive rational weights normalised to sum 1,
    with a batch covering any index that would otherwise have pi_i = 0."""
    p = draw(st.integers(1, max_p))
    m = draw(st.integers(1, max_batches))
    batches = [sorted(draw(st.sets(st.integers(0, p - 1), max_size=p))) for _ in range(m)]
    covered = {i for b in batches for i in b}
    missing = [i for i in range(p) if i not in covered]
    if missing:
        batches.append(missing)
    weights = [draw(st.integers(1, 9)) for _ in batches]
    total = sum(weights)
    probs = [Fraction(w, total) for w in weights]
    return FiniteFamily(p, batches, probs)


@st.composite
def contributions(draw, p: int, d: int = 2):  # noqa: ANN001, ANN201
    return [[draw(rationals) for _ in range(d)] for _ in range(p)]


@SETTINGS
@given(fam=families(), data=st.data())
def test_ht_unbiased_over_random_families(fam, data) -> None:
    f = data.draw(contributions(fam.p))
    pi = fam.pi()
    # brute force over the listed (unmerged) batches
    expectation = [sum((q * sum((f[i][k] / pi[i] for i in b), Fraction(0))
                        for b, q in zip(fam.batches, fam.probs)), Fraction(0)) for k in range(2)]
    field = [sum((row[k] for row in f), Fraction(0)) for k in range(2)]
    assert expectation == field
    # the estimator design and the trusted re-derivation agree: no bias coefficient
    design = ht_design(fam)
    assert all(c == 0 for c in design.bias_coefficients())
    law = rx.law_of_spec(fam.spec())
    assert all(c == 0 for c in rx.bias_coefficients(fam.p, law, [1 / v for v in rx.inclusion(fam.p, law)]))


@SETTINGS
@given(fam=families(), data=st.data())
def test_ht_variance_identity_over_random_families(fam, data) -> None:
    f = data.draw(contributions(fam.p))
    p, pi = fam.p, fam.pi()
    field = [sum((row[k] for row in f), Fraction(0)) for k in range(2)]
    direct = Fraction(0)
    for b, q in zip(fam.batches, fam.probs):
        est = [sum((f[i][k] / pi[i] for i in b), Fraction(0)) for k in range(2)]
        direct += q * sum(((est[k] - field[k]) ** 2 for k in range(2)), Fraction(0))
    formula = sum(((fam.pi_pair(i, j) / (pi[i] * pi[j]) - 1) * sum((f[i][k] * f[j][k] for k in range(2)), Fraction(0))
                   for i in range(p) for j in range(p)), Fraction(0))
    assert direct == formula
    # the trusted coefficient matrices agree with the scheme's pi_pair
    law = rx.law_of_spec(fam.spec())
    Q = rx.variance_matrix(p, law, [1 / v for v in pi])
    assert Q == [[fam.pi_pair(i, j) / (pi[i] * pi[j]) - 1 for j in range(p)] for i in range(p)]
    assert direct >= 0


@settings(max_examples=200, deadline=None, derandomize=True)
@given(p=st.integers(2, 6), data=st.data())
def test_scheme_with_zero_inclusion_is_rejected(p, data) -> None:
    missing = data.draw(st.integers(0, p - 1))
    others = [i for i in range(p) if i != missing]
    batches = [sorted(data.draw(st.sets(st.sampled_from(others), min_size=1))) for _ in range(data.draw(st.integers(1, 3)))]
    weights = [data.draw(st.integers(1, 5)) for _ in batches]
    probs = [Fraction(w, sum(weights)) for w in weights]
    covered = {i for b in batches for i in b}
    with pytest.raises(InvalidArgument, match=r"pi\[\d+\] = 0") as err:
        FiniteFamily(p, batches, probs)
    named = int(str(err.value).split("[")[1].split("]")[0])
    assert named not in covered and missing not in covered
    # a zero-probability batch containing the index does not help either
    with pytest.raises(InvalidArgument, match=r"pi\[\d+\] = 0"):
        FiniteFamily(p, batches + [[missing]], probs + [Fraction(0)])


@settings(max_examples=60, deadline=None, derandomize=True)
@given(scheme=batch_schemes((1, 6), kinds=("bernoulli", "uniform", "partition", "family", "full")), data=st.data())
def test_monte_carlo_matches_exact_mean_and_variance(scheme, data) -> None:
    """Statistical: 4000 seeded draws; mean (per component) and squared error against the exact values,
    |z| <= 4 per test (two-sided normal tail 6.3e-5; derandomized examples, fixed sampling seed)."""
    import numpy as np

    from nncert.verify.rbm_stats import mean_var_check

    p = scheme.p
    f = [[Fraction(data.draw(st.integers(-4, 4))) for _ in range(2)] for _ in range(p)]
    pi = scheme.pi()
    field = [sum((row[k] for row in f), Fraction(0)) for k in range(2)]
    exact_var = sum((q * sum(((sum((f[i][k] / pi[i] for i in b), Fraction(0)) - field[k]) ** 2 for k in range(2)),
                             Fraction(0)) for b, q in scheme.enumerate_law()), Fraction(0))
    masks = scheme.sample_many(np.random.default_rng(12345), 4000)
    v = mean_var_check(scheme.name, np.array([[float(x) for x in row] for row in f]), masks,
                       [float(x) for x in pi], float(exact_var), seed=12345)
    assert v.holds, v.summary()
