"""Property test of paper 1's memorization theorem on our construction (issue 2, acceptance 2).

For random exact data sets (d in 1..6, N in 1..60, M in 1..6, with near-duplicates and points that differ
in one coordinate by 1/10^9): the peel network has width 2, depth <= 2N+4M-1, classifies every point exactly
(fast exact evaluator), and z3 (an independent evaluation) agrees at every point. The naive Fraction
evaluator is a third opinion.
"""

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nncert.constructions.memorize import depth_bound, peel
from nncert.data import from_arrays
from nncert.verify.exact import check_classification, evaluate_naive
from nncert.verify.smt import z3_check_classification

TINY = Fraction(1, 10**9)


@st.composite
def labelled_points(draw):
    d = draw(st.integers(1, 6))
    n = draw(st.integers(1, 60))
    m = draw(st.integers(1, 6))
    coord = st.fractions(min_value=-50, max_value=50, max_denominator=12)
    base = draw(st.lists(st.tuples(*[coord] * d), min_size=1, max_size=n))
    points = []
    for p in base:
        kind = draw(st.sampled_from(["plain", "near", "one-coordinate"]))
        if kind == "plain" or not points:
            points.append(p)
        elif kind == "near":  # a near-duplicate of an earlier point
            q = draw(st.sampled_from(points))
            points.append(tuple(v + TINY * draw(st.integers(-3, 3)) for v in q))
        else:  # differs from an earlier point in exactly one coordinate by 1/10^9
            q = list(draw(st.sampled_from(points)))
            j = draw(st.integers(0, d - 1))
            q[j] += TINY
            points.append(tuple(q))
    # distinct points only (the theorem is about N distinct points); labels drawn per distinct point
    points = list(dict.fromkeys(points))
    labels = draw(st.lists(st.integers(0, m - 1), min_size=len(points), max_size=len(points)))
    return points, labels


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(labelled_points())
def test_peel_network_memorizes_exactly(case):
    points, labels = case
    ds = from_arrays(points, labels)
    res = peel(ds)
    net = res.network
    assert net.width == 2 and all(w == 2 for w in net.widths)
    assert net.depth <= depth_bound(ds.n, ds.m)
    exact = check_classification(net, ds.points, ds.labels)
    assert exact.verdict.holds, exact.verdict.reason
    assert [o[0] for o in exact.outputs] == [Fraction(lab) for lab in ds.labels]
    # independent checkers agree with the fast evaluator at every point
    assert z3_check_classification(net, ds.points, ds.labels).holds
    assert evaluate_naive(net, ds.points) == list(exact.outputs)


@settings(max_examples=60, deadline=None)
@given(labelled_points(), st.data())
def test_altered_parameter_that_changes_an_output_is_rejected_by_both(case, data):
    points, labels = case
    ds = from_arrays(points, labels)
    net = peel(ds).network
    layer = data.draw(st.integers(0, len(net.weights) - 1))
    row = data.draw(st.integers(0, len(net.weights[layer]) - 1))
    delta = data.draw(st.sampled_from([Fraction(1), Fraction(-1, 3), TINY]))
    biases = list(net.biases)
    b = list(biases[layer])
    b[row] += delta
    biases[layer] = tuple(b)
    bad = type(net)(net.weights, tuple(biases))
    changed = [o != (Fraction(lab),) for o, lab in zip(evaluate_naive(bad, ds.points), ds.labels)]
    exact = check_classification(bad, ds.points, ds.labels).verdict
    z3v = z3_check_classification(bad, ds.points, ds.labels)
    # both checkers reject exactly when some output changed (naive evaluation decides which)
    assert exact.holds == (not any(changed))
    assert z3v.holds == (not any(changed))
