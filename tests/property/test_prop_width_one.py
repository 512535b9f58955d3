"""Property tests for the width-1 decision (acceptance item 2) and the clamp-shape lemma."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from nncert.core import Network
from nncert.data import from_arrays
from nncert.verify.exact import check_classification
from nncert.verify.width_one import width_one

coords = st.integers(-3, 3)


@st.composite
def small_datasets(draw):
    d = draw(st.integers(1, 3))
    pts = draw(st.lists(st.tuples(*[coords] * d), min_size=1, max_size=7, unique=True))
    labels = draw(st.lists(st.integers(0, 2), min_size=len(pts), max_size=len(pts)))
    return from_arrays([list(p) for p in pts], labels)


@settings(max_examples=200, deadline=None)
@given(ds=small_datasets())
def test_decision_is_always_certified_and_solvers_agree(ds):
    for sem in ("exact", "threshold"):
        r = width_one(ds, semantics=sem)
        assert r.feasible is not None
        v = r.check()
        assert v.holds, v.summary()
        if r.feasible:
            assert r.network.width == 1
            if sem == "exact":  # independent of the certificate checker: exact evaluator directly
                assert check_classification(r.network, ds.points, ds.labels).verdict.holds
        else:
            assert r.tree is not None and r.network is None
        log = r.solver_log
        assert log.get("z3_unsat", 0) == log.get("cvc5_unsat_agree", 0)
        if not r.feasible:
            assert log["z3_unsat"] >= 1


def _clamp(v, lo, hi):
    if lo is not None and v < lo:
        return lo
    if hi is not None and v > hi:
        return hi
    return v


@settings(max_examples=200, deadline=None)
@given(
    first=st.tuples(st.integers(-4, 4), st.integers(-4, 4)),
    layers=st.lists(st.tuples(st.integers(-4, 4), st.integers(-4, 4)), max_size=5),
    out=st.tuples(st.integers(-4, 4), st.integers(-4, 4)),
)
def test_width_one_networks_are_clamps(first, layers, out):
    """docs/width_one.md lemma: f(x) = clamp(alpha x + beta, lo, hi), tracked through the layers
    by the proof's closure rules, equals the network at many exact points."""
    F = Fraction
    net = Network.from_rows([[[first[0]]]] + [[[a]] for a, _ in layers] + [[[out[0]]]],
                            [[first[1]]] + [[c] for _, c in layers] + [[out[1]]])
    # state: f = clamp(alpha*x + beta, lo, hi), None = unbounded
    alpha, beta, lo, hi = F(first[0]), F(first[1]), F(0), None      # relu(w x + b)

    def affine(a, c, alpha, beta, lo, hi):
        a, c = F(a), F(c)
        if a == 0:
            return F(0), c, c, c
        nlo = None if lo is None else a * lo + c
        nhi = None if hi is None else a * hi + c
        if a < 0:
            nlo, nhi = nhi, nlo
        return a * alpha, a * beta + c, nlo, nhi

    for a, c in layers:
        alpha, beta, lo, hi = affine(a, c, alpha, beta, lo, hi)
        lo = F(0) if lo is None else max(lo, F(0))                      # relu(clamp) = clamp with max(., 0)
        hi = None if hi is None else max(hi, F(0))
    alpha, beta, lo, hi = affine(out[0], out[1], alpha, beta, lo, hi)
    for k in range(-40, 41):
        x = F(k, 4)
        assert net([x])[0] == _clamp(alpha * x + beta, lo, hi)


@settings(max_examples=100, deadline=None)
@given(ds=small_datasets(), which=st.sampled_from(["exact", "prefix"]))
def test_float_guess_with_exact_repair_agrees_with_z3(ds, which):
    """The large-LP path (HiGHS guess + exact repair) never contradicts z3, and what it returns checks exactly."""
    from nncert.verify.farkas import exact_rows, farkas_ok, prefix_rows
    from nncert.verify.width_one import _solve_highs, _solve_z3

    present = sorted(set(ds.labels))
    if len(present) < 2:
        return
    if which == "exact":
        rows, nv = exact_rows(ds.points, ds.labels), ds.d + 1
    else:
        rows, nv = prefix_rows(ds.points, ds.labels, (present[0],)), ds.d + 1
    got = _solve_highs(rows, nv)
    ref, _ = _solve_z3(rows, nv)
    if got is None:
        return  # repair failed: the caller falls back to z3
    status, out = got
    assert status == ref
    if status == "unsat":
        assert farkas_ok(rows, out)[0]
    else:
        for co, rhs, kind in rows:
            val = sum((c * x for c, x in zip(co, out)), Fraction(0))
            assert val <= rhs if kind == "le" else val == rhs
