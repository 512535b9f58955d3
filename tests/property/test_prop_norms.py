"""Property tests: the norm bound holds exactly on every construction; rescaling preserves the function."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from nncert.constructions.memorize import peel
from nncert.constructions.memorize_bounds import norm_bound, rescale_pow2
from nncert.data import from_arrays
from nncert.proofs.claims.p1_norm_bound import certify, check
from nncert.verify.norms import norms


@st.composite
def datasets(draw):
    d = draw(st.integers(1, 3))
    pts = draw(st.lists(st.tuples(*[st.fractions(-5, 5, max_denominator=4)] * d), min_size=1, max_size=12, unique=True))
    labels = draw(st.lists(st.integers(0, 3), min_size=len(pts), max_size=len(pts)))
    return from_arrays([list(p) for p in pts], labels)


@settings(max_examples=200, deadline=None)
@given(ds=datasets(), seed=st.integers(0, 3))
def test_norm_bound_holds_and_claim_checks(ds, seed):
    res = peel(ds, seed=seed)
    rep = norms(res.network)
    assert rep.sum_squares == sum((v * v for v in res.network.parameters()), Fraction(0))
    assert rep.max_abs == max(abs(v) for v in res.network.parameters())
    b = norm_bound(res)
    assert rep.sum_squares <= b.bound <= b.bound_generic
    v = check(certify(ds, seed=seed))
    assert v.holds, v.summary()


@settings(max_examples=60, deadline=None)
@given(ds=datasets(), x=st.lists(st.fractions(-20, 20, max_denominator=7), min_size=3, max_size=3))
def test_rescaling_preserves_outputs_exactly(ds, x):
    net = peel(ds).network
    small, _ = rescale_pow2(net)
    assert norms(small).sum_squares <= norms(net).sum_squares
    for p in list(ds.points) + [tuple(x[: ds.d])]:
        assert small(p) == net(p)
