"""Property tests: the norm bound holds exactly on every construction; rescaling preserves the function."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from nncert.constructions.memorize import peel
from nncert.constructions.memorize_bounds import rescale_pow2
from nncert.core import Network
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
    cert = certify(ds, seed=seed)
    v = check(cert)  # trusted: recomputes B independently and checks ||theta*||^2 <= B <= B_N exactly
    assert v.holds, v.summary()
    net = Network.from_json(cert.witness["network"])
    rep = norms(net)
    params = list(net.parameters())
    assert rep.sum_squares == sum((v * v for v in params), Fraction(0))
    assert rep.max_abs == max(abs(v) for v in params)
    assert rep.sum_squares <= Fraction(cert.params["B"]) <= Fraction(cert.params["B_N"])


@settings(max_examples=40, deadline=None)
@given(ds=datasets(), x=st.lists(st.fractions(-20, 20, max_denominator=7), min_size=3, max_size=3))
def test_rescaling_preserves_outputs_exactly(ds, x):
    net = peel(ds).network
    small, _ = rescale_pow2(net)
    assert norms(small).sum_squares <= norms(net).sum_squares
    for p in list(ds.points) + [tuple(x[: ds.d])]:
        assert small(p) == net(p)
