"""nncert.strategies: every argument is honoured (checked here by our own arithmetic on the drawn values),
and every invalid argument raises InvalidArgument naming it."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nncert
from nncert.core import Certificate, Network, Status
from nncert.data import Dataset
from nncert.errors import InvalidArgument, InvalidCertificate
from nncert.proofs import check_certificate
from nncert.strategies import batch_schemes, certificates, datasets, networks

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def linf(p, q) -> Fraction:  # noqa: ANN001
    return max(abs(a - b) for a, b in zip(p, q))


def basic(ds: Dataset, n: int | tuple[int, int], d: int, m: int) -> None:
    lo, hi = (n, n) if isinstance(n, int) else n
    assert isinstance(ds, Dataset)
    assert lo <= ds.n <= hi and ds.d == d and ds.m == m
    assert len(set(ds.points)) == ds.n  # distinct
    assert sorted(set(ds.labels)) == list(range(m))  # every class present, labels in range
    assert all(type(v) is Fraction for p in ds.points for v in p)


# -- datasets --------------------------------------------------------------------------------------------
@FAST
@given(st.data(), st.integers(1, 9), st.integers(1, 4), st.integers(1, 4))
def test_datasets_size_dimension_classes(data, n, d, m):
    m = min(m, n)
    ds = data.draw(datasets(n, d, m))
    basic(ds, n, d, m)
    assert all(abs(v) <= 8 for p in ds.points for v in p)  # default max_abs
    assert all(v.denominator <= 4 for p in ds.points for v in p)  # default max_denominator


@FAST
@given(st.data(), st.integers(1, 4), st.integers(1, 4))
def test_datasets_size_range(data, lo, extra):
    ds = data.draw(datasets((lo, lo + extra), 2, 1))
    basic(ds, (lo, lo + extra), 2, 1)


@FAST
@given(st.data(), st.integers(2, 8), st.integers(1, 3), st.sampled_from(["1/3", "2", Fraction(5, 7), 1]))
def test_datasets_separation_delta(data, n, d, delta):
    delta_f = nncert.to_fraction(delta)
    ds = data.draw(datasets(n, d, 2, delta=delta, max_abs=delta_f * 8))
    basic(ds, n, d, 2)
    assert min(linf(p, q) for p, q in combinations(ds.points, 2)) >= delta_f
    assert all((v / delta_f).denominator == 1 and abs(v) <= delta_f * 8 for p in ds.points for v in p)


@FAST
@given(st.data(), st.integers(3, 8), st.integers(1, 4), st.booleans())
def test_datasets_collinear(data, n, d, with_delta):
    kw = {"delta": "1/2"} if with_delta else {}
    ds = data.draw(datasets(n, d, 2, collinear=True, **kw))
    basic(ds, n, d, 2)
    a, b = ds.points[0], ds.points[1]
    u = [y - x for x, y in zip(a, b)]
    for p in ds.points[2:]:
        w = [y - x for x, y in zip(a, p)]
        # w parallel to u: every 2x2 minor vanishes (exactly)
        assert all(u[i] * w[j] == u[j] * w[i] for i in range(d) for j in range(d))
    if with_delta:
        assert min(linf(p, q) for p, q in combinations(ds.points, 2)) >= Fraction(1, 2)


@FAST
@given(st.data(), st.integers(2, 9), st.integers(1, 3), st.booleans(), st.sampled_from([None, "1/100", "1/11"]))
def test_datasets_near_duplicates(data, n, d, collinear, gap):
    k = data.draw(st.integers(1, n // 2))
    kw = {} if gap is None else {"near_gap": gap}
    ds = data.draw(datasets(n, d, 1, near_duplicates=k, collinear=collinear, max_denominator=5, **kw))
    basic(ds, n, d, 1)
    lattice = [p for p in ds.points if all(v.denominator <= 5 for v in p)]
    off = [p for p in ds.points if p not in lattice]
    assert len(off) == k  # exactly k moved copies
    for p in off:  # each copy is exactly near_gap from some lattice point (max-norm)
        closest = min(linf(p, q) for q in lattice)
        if gap is not None:
            assert closest == Fraction(gap)
        else:
            assert 0 < closest <= Fraction(1, 1000)  # default: min(h, max_abs) / 1000, h <= 1
    assert all(abs(v) <= 8 for p in ds.points for v in p)


@FAST
@given(st.data())
def test_datasets_near_duplicates_true_and_bounds(data):
    ds = data.draw(datasets(6, 2, 2, near_duplicates=True, max_abs="3/2", max_denominator=2))
    basic(ds, 6, 2, 2)
    moved = [p for p in ds.points if any(v.denominator > 2 for v in p)]
    assert 1 <= len(moved) <= 3
    assert all(abs(v) <= Fraction(3, 2) for p in ds.points for v in p)


def test_datasets_tight_capacity_is_built_not_filtered():
    # 9 distinct points in {-1, 0, 1}^2: every lattice point is used; must not fail a health check
    @settings(max_examples=20, deadline=None)
    @given(datasets(9, 2, 3, delta=1, max_abs=1))
    def inner(ds):  # noqa: ANN001
        assert sorted(ds.points) == sorted((Fraction(a), Fraction(b)) for a in (-1, 0, 1) for b in (-1, 0, 1))

    inner()


# -- networks --------------------------------------------------------------------------------------------
@FAST
@given(st.data(), st.lists(st.integers(1, 4), max_size=3), st.integers(1, 3), st.integers(1, 3),
       st.sampled_from([1, "1/2", 3]), st.integers(1, 5))
def test_networks_honour_shape_and_entries(data, widths, din, dout, max_abs, qmax):
    net = data.draw(networks(widths, input_dim=din, output_dim=dout, max_abs=max_abs, max_denominator=qmax))
    assert isinstance(net, Network)
    assert net.widths == tuple(widths) and net.input_dim == din and net.output_dim == dout
    bound = nncert.to_fraction(max_abs)
    assert all(abs(v) <= bound and v.denominator <= qmax for v in net.parameters())


@FAST
@given(st.data(), st.integers(0, 3), st.integers(1, 3))
def test_networks_drawn_architecture(data, depth, width):
    net = data.draw(networks(max_depth=depth, max_width=width))
    assert net.depth <= depth and all(1 <= w <= width for w in net.widths)
    assert 1 <= net.input_dim <= 3 and net.output_dim == 1


def test_from_type_uses_the_registered_strategies_in_a_fresh_process():
    code = (
        "import nncert\n"
        "from hypothesis import given, settings, strategies as st\n"
        "seen = []\n"
        "@settings(max_examples=5, deadline=None)\n"
        "@given(st.from_type(nncert.Network), st.from_type(nncert.Dataset))\n"
        "def t(net, ds):\n"
        "    assert isinstance(net, nncert.Network) and isinstance(ds, nncert.Dataset)\n"
        "    seen.append(1)\n"
        "t()\n"
        "import sys; print(len(seen), 'nncert.strategies' in sys.modules)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.split()[0] == "5"


# -- batch schemes ---------------------------------------------------------------------------------------
@FAST
@given(st.data(), st.integers(1, 6), st.sampled_from(["bernoulli", "uniform", "partition", "family", "full"]),
       st.integers(1, 6), st.integers(1, 5))
def test_batch_schemes_honour_kind_p_and_bounds(data, p, kind, qmax, bmax):
    s = data.draw(batch_schemes(p, kinds=[kind], max_denominator=qmax, max_batches=bmax))
    names = {"bernoulli": "Bernoulli", "uniform": "Uniform", "partition": "Partition", "family": "FiniteFamily",
             "full": "Full"}
    assert type(s).__name__ == names[kind] and s.p == p
    assert all(v > 0 for v in s.pi())
    law = s.enumerate_law()
    assert sum(prob for _, prob in law) == 1
    for i in range(p):  # pi_i from the law, computed here
        assert sum(prob for batch, prob in law if i in batch) == s.pi()[i]
    if kind == "bernoulli":
        assert 0 < s.q <= 1 and s.q.denominator <= qmax
    if kind == "family":
        assert 1 <= len(s.batches) <= bmax
        assert all(q > 0 and (q * sum(1 for _ in s.probs)).denominator >= 1 for q in s.probs)
    if kind == "partition":
        assert sorted(i for blk in s.blocks for i in blk) == list(range(p))


@FAST
@given(st.data())
def test_batch_schemes_default_kinds_and_p_range(data):
    s = data.draw(batch_schemes((2, 5)))
    assert 2 <= s.p <= 5 and type(s).__name__ in ("Bernoulli", "Uniform", "Partition", "FiniteFamily")


# -- certificates ----------------------------------------------------------------------------------------
@SLOW
@given(certificates("memorization", max_points=4))
def test_certificates_memorization_hold(cert):
    assert int(cert.params["N"]) <= 4
    assert check_certificate(Certificate.loads(cert.dumps())).status is Status.HOLDS


@SLOW
@given(certificates("tampered", max_points=4))
def test_certificates_tampered_are_refuted(cert):
    assert check_certificate(Certificate.loads(cert.dumps())).status is Status.REFUTED


@SLOW
@given(certificates("malformed", max_points=3))
def test_certificates_malformed_are_rejected(text):
    assert isinstance(text, str)
    with pytest.raises(InvalidCertificate):
        check_certificate(Certificate.loads(text))


def test_certificates_of_a_registered_claim():
    @settings(max_examples=2, deadline=None)
    @given(certificates("P1.memorization.width2_depth"))
    def inner(cert):  # noqa: ANN001
        assert cert.claim == "P1.memorization.width2_depth" and json.loads(cert.dumps())["params"]["N"] == "149"

    inner()


# -- invalid arguments name the argument ---------------------------------------------------------------
BAD = [
    (datasets, (0, 2, 1), {}, "n"),
    (datasets, ((3, 2), 2, 1), {}, "n"),
    (datasets, ((1, 2, 3), 2, 1), {}, "n"),
    (datasets, (2.0, 2, 1), {}, "n"),
    (datasets, (3, 0, 1), {}, "d"),
    (datasets, (3, 2, 0), {}, "classes"),
    (datasets, (3, 2, 4), {}, "classes"),
    (datasets, (3, 2, 1), {"delta": 0}, "delta"),
    (datasets, (3, 2, 1), {"delta": 0.5}, "delta"),
    (datasets, (3, 2, 1), {"delta": "-1"}, "delta"),
    (datasets, (3, 2, 1), {"collinear": 1}, "collinear"),
    (datasets, (3, 2, 1), {"near_duplicates": -1}, "near_duplicates"),
    (datasets, (3, 2, 1), {"near_duplicates": 2}, "near_duplicates"),
    (datasets, (3, 2, 1), {"near_duplicates": 1, "delta": 1}, "near_duplicates"),
    (datasets, (4, 2, 1), {"near_duplicates": 1, "near_gap": "1/2"}, "near_gap"),
    (datasets, (4, 2, 1), {"near_gap": "1/100"}, "near_gap"),
    (datasets, (3, 2, 1), {"max_abs": 0}, "max_abs"),
    (datasets, (30, 1, 1), {"max_abs": 1, "delta": 1}, "max_abs"),
    (datasets, (30, 2, 1), {"max_abs": 1, "max_denominator": 1}, "max_abs"),
    (datasets, (3, 2, 1), {"max_denominator": 0}, "max_denominator"),
    (datasets, (3, 2, 1), {"max_denominator": 2, "delta": 1}, "max_denominator"),
    (networks, ([0],), {}, "widths[0]"),
    (networks, ("22",), {}, "widths"),
    (networks, ([2],), {"max_depth": 2}, "max_depth"),
    (networks, ([2],), {"max_width": 2}, "max_width"),
    (networks, (), {"max_depth": -1}, "max_depth"),
    (networks, (), {"max_width": 0}, "max_width"),
    (networks, (), {"input_dim": 0}, "input_dim"),
    (networks, (), {"output_dim": 0}, "output_dim"),
    (networks, (), {"max_abs": -1}, "max_abs"),
    (networks, (), {"max_abs": 0.25}, "max_abs"),
    (networks, (), {"max_denominator": 0}, "max_denominator"),
    (batch_schemes, (0,), {}, "p"),
    (batch_schemes, ((4, 2),), {}, "p"),
    (batch_schemes, (3,), {"kinds": "uniform"}, "kinds"),
    (batch_schemes, (3,), {"kinds": []}, "kinds"),
    (batch_schemes, (3,), {"kinds": ["poisson"]}, "kinds"),
    (batch_schemes, (3,), {"max_denominator": 0}, "max_denominator"),
    (batch_schemes, (3,), {"max_batches": 0}, "max_batches"),
    (certificates, ("nonsense",), {}, "kind"),
    (certificates, (3,), {}, "kind"),
    (certificates, ("memorization",), {"max_points": 0}, "max_points"),
]


@pytest.mark.parametrize("fn,args,kwargs,name", BAD, ids=[f"{f.__name__}-{n}-{i}" for i, (f, _, _, n) in enumerate(BAD)])
def test_invalid_arguments_raise_naming_the_argument(fn, args, kwargs, name):
    with pytest.raises(InvalidArgument) as err:
        fn(*args, **kwargs)
    assert name in str(err.value)


# -- shrinking: built values reach the simplest example ------------------------------------------------
def test_minimal_examples_are_the_simplest_values():
    from hypothesis import find as _find

    def find(strategy, condition):  # noqa: ANN001, ANN202
        return _find(strategy, condition, settings=settings(database=None, max_examples=50, deadline=None))

    two = find(datasets(2, 1, 1), lambda ds: True)
    assert sorted(two.points) == [(Fraction(0),), (Fraction(1),)]
    deep = find(networks(), lambda net: net.depth >= 2)
    assert deep.widths == (1, 1) and deep.input_dim == 1 and set(deep.parameters()) == {Fraction(0)}
    bern = find(batch_schemes(5, kinds=["bernoulli"]), lambda s: s.q < 1)
    assert bern.q == Fraction(1, 2)
