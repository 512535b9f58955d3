"""Property tests of exact box verification (issue 8, acceptance 3).

Random small ReLU networks and boxes: a REFUTED answer carries a point that is in the box and whose exact
class (computed here by the fast evaluator and the decision rule, not by the robustness module) differs;
a HOLDS answer is confronted with 10^4 random exact points of the box (plus its corners), which must all
keep the class. The solver route (no bound proofs, no candidate points) must agree with the default route.
"""

import itertools
from fractions import Fraction

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nncert.core import Network, Status
from nncert.verify.decision import margin, predict
from nncert.verify.exact import evaluate_many
from nncert.verify.robustness import Box, bound_query, class_query, interval_bounds, verify

small = st.fractions(min_value=-3, max_value=3, max_denominator=4)


@st.composite
def nets(draw, max_out=3):
    d = draw(st.integers(1, 3))
    widths = [draw(st.integers(1, 4)) for _ in range(draw(st.integers(1, 3)))] + [draw(st.integers(1, max_out))]
    ws, bs, prev = [], [], d
    for w in widths:
        ws.append([[draw(small) for _ in range(prev)] for _ in range(w)])
        bs.append([draw(small) for _ in range(w)])
        prev = w
    return Network.from_rows(ws, bs)


@st.composite
def cases(draw):
    net = draw(nets())
    x = [draw(small) for _ in range(net.input_dim)]
    r = draw(st.sampled_from([Fraction(1, 64), Fraction(1, 10), Fraction(1, 3), Fraction(1)]))
    mode, t = ("argmax", None) if net.output_dim > 1 else draw(st.sampled_from([("nearest", None),
                                                                                 ("threshold", Fraction(1, 2))]))
    seed = draw(st.integers(0, 2**31 - 1))
    return net, x, r, mode, t, seed


def _sample(box: Box, n: int, seed: int) -> list[tuple[Fraction, ...]]:
    rng = np.random.default_rng(seed)
    den = 10**6
    ks = rng.integers(0, den + 1, size=(n, box.dim))
    pts = [tuple(lo + (hi - lo) * Fraction(int(k), den) for k, lo, hi in zip(row, box.lo, box.hi)) for row in ks]
    pts += [tuple(c) for c in itertools.product(*zip(box.lo, box.hi))]
    return pts


_ZERO = Fraction(0)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
# regressions found by this test: a z3 model leaving an input free, and an all-tie network
@example((Network.from_rows([[[0, 0, 0]], [[0], [0], [0]]], [[0], [0, 0, 0]]), [_ZERO] * 3, Fraction(1, 64),
          "argmax", None, 0))
@example((Network.from_rows([[[0]], [[0], [0], [0]]], [[0], [0, 0, 0]]), [_ZERO], Fraction(1, 10), "argmax", None, 0))
def test_robustness_verdicts_are_right(case):
    net, x, r, mode, t, seed = case
    q = class_query(net, x, r, mode=mode, threshold=t)
    label = predict(net(q.box.center()), mode, t)
    res = verify(net, q, timeout=30)
    assert res.verdict.status in (Status.HOLDS, Status.REFUTED)
    if res.verdict.status is Status.REFUTED:
        cx = res.counterexample
        assert q.box.contains(cx)
        y = evaluate_many(net, [cx])[0]
        assert label is None or predict(y, mode, t) != label
    else:
        assert label is not None
        pts = _sample(q.box, 10_000, seed)
        for y in evaluate_many(net, pts):
            assert margin(y, label, mode, t) > 0
    solver_only = verify(net, q, timeout=30, try_points=False, bound_proofs=False, cross_check=False)
    assert solver_only.verdict.status is res.verdict.status


@settings(max_examples=30, deadline=None)
@given(nets(max_out=1), st.data())
def test_output_bound_queries(net, data):
    box = Box.of([-1] * net.input_dim, [1] * net.input_dim)
    b = data.draw(small)
    op = data.draw(st.sampled_from(["<=", "<", ">=", ">"]))
    res = verify(net, bound_query(box, 0, op, b, 1), timeout=30, cross_check=False)
    ok = {"<=": lambda v: v <= b, "<": lambda v: v < b, ">=": lambda v: v >= b, ">": lambda v: v > b}[op]
    if res.verdict.status is Status.REFUTED:
        assert box.contains(res.counterexample) and not ok(net(res.counterexample)[0])
    else:
        assert res.verdict.status is Status.HOLDS
        for y in evaluate_many(net, _sample(box, 200, 0)):
            assert ok(y[0])


@settings(max_examples=40, deadline=None)
@given(nets(), st.data())
def test_interval_bounds_contain_exact_preactivations(net, data):
    lo = [data.draw(small) for _ in range(net.input_dim)]
    box = Box(tuple(lo), tuple(v + data.draw(st.fractions(0, 2, max_denominator=4)) for v in lo))
    bounds = interval_bounds(net, box)
    for x in _sample(box, 10, 1):
        h = list(x)
        for k, (w, b) in enumerate(zip(net.weights, net.biases)):
            pre = [sum((wi * hi for wi, hi in zip(row, h)), bi) for row, bi in zip(w, b)]
            assert all(a <= p <= c for p, (a, c) in zip(pre, bounds.pre[k]))
            h = [max(p, Fraction(0)) for p in pre]


@settings(max_examples=200, deadline=None)
@given(st.lists(small, min_size=1, max_size=4), st.data())
def test_margin_positive_iff_predicted(y, data):
    y = tuple(y)
    if len(y) > 1:
        c = data.draw(st.integers(0, len(y) - 1))
        assert (margin(y, c, "argmax") > 0) == (predict(y, "argmax") == c)
    else:
        c = data.draw(st.integers(-2, 4))
        assert (margin(y, c, "nearest") > 0) == (predict(y, "nearest") == c)
        rng = (-2, 4)
        assert (margin(y, c, "nearest", class_range=rng) > 0) == (predict(y, "nearest", class_range=rng) == c)
        t = data.draw(small)
        c2 = data.draw(st.integers(0, 1))
        assert (margin(y, c2, "threshold", t) > 0) == (predict(y, "threshold", t) == c2)
