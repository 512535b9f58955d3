"""The fast exact evaluator agrees with naive Fraction evaluation and with z3 on arbitrary ReLU networks."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from nncert.core import Network
from nncert.verify.exact import check_classification, evaluate_many, evaluate_naive
from nncert.verify.smt import z3_outputs

small = st.fractions(min_value=-4, max_value=4, max_denominator=6)


@st.composite
def networks_and_points(draw):
    d = draw(st.integers(1, 3))
    depth = draw(st.integers(0, 6))
    widths = [draw(st.integers(1, 3)) for _ in range(depth)] + [draw(st.integers(1, 2))]
    rank_one = draw(st.booleans())
    weights, biases, prev = [], [], d
    for k, w in enumerate(widths):
        if k == 0 and rank_one:  # first-layer rows all multiples of one row: the evaluator's fast path
            base = [draw(small) for _ in range(prev)]
            rows = [[lam * v for v in base] for lam in draw(st.lists(small, min_size=w, max_size=w))]
        else:
            rows = [[draw(small) for _ in range(prev)] for _ in range(w)]
        weights.append(rows)
        biases.append([draw(small) for _ in range(w)])
        prev = w
    net = Network.from_rows(weights, biases)
    points = draw(st.lists(st.tuples(*[small] * d), min_size=1, max_size=25))
    return net, points


@settings(max_examples=200, deadline=None)
@given(networks_and_points())
def test_fast_evaluator_equals_naive(case):
    net, points = case
    assert evaluate_many(net, points) == evaluate_naive(net, points)


@settings(max_examples=40, deadline=None)
@given(networks_and_points())
def test_z3_evaluation_equals_exact(case):
    net, points = case
    fast = evaluate_many(net, points)
    for p, out in zip(points[:5], fast):
        assert tuple(z3_outputs(net, p)) == out


def test_multi_output_network_is_not_a_classifier():
    net = Network.from_rows([[[1], [2]]], [[0, 0]])
    v = check_classification(net, [(Fraction(1),)], [1]).verdict
    assert v.status.value == "REFUTED" and v.counterexample == {"output_dim": "2"}
