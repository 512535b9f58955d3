"""``st.from_type(nncert.Network)`` works (nncert registers its strategies with hypothesis)."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

import nncert
from nncert.strategies import networks


def negate(net: nncert.Network) -> nncert.Network:
    """A user's transformation: the network computing -f."""
    w = list(net.weights[:-1]) + [tuple(tuple(-v for v in row) for row in net.weights[-1])]
    b = list(net.biases[:-1]) + [tuple(-v for v in net.biases[-1])]
    return nncert.Network(tuple(w), tuple(b))


@settings(max_examples=40, deadline=None)
@given(st.from_type(nncert.Network), st.data())
def test_negate(net, data):
    x = data.draw(st.lists(st.fractions(-3, 3, max_denominator=7), min_size=net.input_dim, max_size=net.input_dim))
    assert negate(net)(x) == tuple(-v for v in net(x))


@settings(max_examples=40, deadline=None)
@given(networks([3, 3], input_dim=2, max_abs=2, max_denominator=3))
def test_outputs_are_exact_rationals(net):
    out = net([Fraction(1, 3), Fraction(-2, 5)])
    assert all(type(v) is Fraction for v in out)
