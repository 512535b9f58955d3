"""The Horvitz-Thompson random-batch estimator sum_{i in B} f_i / pi_i is unbiased, exactly, for every scheme."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from nncert.strategies import batch_schemes


@settings(max_examples=40, deadline=None)
@given(st.data(), batch_schemes((1, 6)))
def test_horvitz_thompson_is_unbiased(data, scheme):
    f = data.draw(st.lists(st.fractions(max_denominator=9), min_size=scheme.p, max_size=scheme.p))
    pi = scheme.pi()
    mean = sum((prob * sum((f[i] / pi[i] for i in batch), Fraction(0)) for batch, prob in scheme.enumerate_law()),
               Fraction(0))
    assert mean == sum(f, Fraction(0))


@settings(max_examples=40, deadline=None)
@given(batch_schemes(5, kinds=["partition"]))
def test_partition_pick_one_block(scheme):
    assert all(pi == Fraction(1, len(scheme.blocks)) for pi in scheme.pi())
