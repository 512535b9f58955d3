"""Batch schemes: exact inclusion probabilities (hand-computed), law enumeration, sampling, validation."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

from nncert.constructions.batches import (
    Bernoulli,
    FiniteFamily,
    Full,
    Partition,
    Uniform,
    all_subsets,
    drop_one,
    pick_one,
)
from nncert.errors import InvalidArgument

SCHEMES = [
    Full(3),
    Bernoulli(4, "1/3"),
    Uniform(5, 2),
    Partition([[0, 1], [2, 3, 4]]),
    Partition([[0, 3], [1, 2]]),
    FiniteFamily(3, [[0], [1, 2], [], [0]], [F(1, 4), F(1, 3), F(1, 6), F(1, 4)]),
    pick_one(3),
    drop_one(4),
    all_subsets(3),
]


def test_hand_computed_values() -> None:
    # values worked out by hand from the table in random_batch.md section 2
    assert Uniform(5, 2).pi_pair(0, 1) == F(2 * 1, 5 * 4)
    assert Uniform(5, 2).expected_size() == 2
    assert Bernoulli(4, "1/3").pi_pair(1, 2) == F(1, 9)
    assert Bernoulli(4, "1/3").expected_size() == F(4, 3)
    p = Partition([[0, 1], [2, 3, 4]])
    assert p.pi() == (F(1, 2),) * 5 and p.pi_pair(2, 4) == F(1, 2) and p.pi_pair(1, 2) == 0
    assert p.expected_size() == F(5, 2) and not p.balanced
    fam = FiniteFamily(3, [[0], [1, 2], [], [0]], [F(1, 4), F(1, 3), F(1, 6), F(1, 4)])
    assert fam.pi() == (F(1, 2), F(1, 3), F(1, 3))
    assert fam.pi_pair(1, 2) == F(1, 3) and fam.pi_pair(0, 1) == 0
    assert fam.law_size() == 3  # the repeated batch {0} is merged
    assert dict(fam.enumerate_law())[frozenset({0})] == F(1, 2)
    assert drop_one(4).pi_pair(0, 1) == F(3 * 2, 4 * 3)
    assert pick_one(3).pi_pair(0, 1) == 0
    assert all_subsets(3).law_size() == 8 and dict(all_subsets(3).enumerate_law())[frozenset()] == F(1, 8)
    assert Full(3).pi_matrix() == ((F(1),) * 3,) * 3


@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: s.name)
def test_law_matches_closed_forms(scheme) -> None:
    law = scheme.enumerate_law()
    assert sum(q for _, q in law) == 1
    assert all(q > 0 for _, q in law)
    assert len({b for b, _ in law}) == len(law) == scheme.law_size()
    for i in range(scheme.p):
        for j in range(scheme.p):
            assert scheme.pi_pair(i, j) == sum((q for b, q in law if i in b and j in b), F(0))
    assert scheme.expected_size() == sum((q * len(b) for b, q in law), F(0))


@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: s.name)
def test_sampling_is_seeded_and_matches_pi(scheme) -> None:
    k = 20000
    a = scheme.sample_many(np.random.default_rng(7), k)
    b = scheme.sample_many(np.random.default_rng(7), k)
    assert a.shape == (k, scheme.p) and a.dtype == np.bool_
    assert np.array_equal(a, b)
    pi = np.array([float(v) for v in scheme.pi()])
    se = np.sqrt(pi * (1 - pi) / k) + 1e-12
    assert np.all(np.abs(a.mean(axis=0) - pi) <= 4.5 * se)  # |z| <= 4.5 per coordinate, fixed seed
    # every sampled batch is in the support of the law
    support = {b for b, _ in scheme.enumerate_law()}
    assert all(frozenset(np.flatnonzero(row).tolist()) in support for row in a[:500])
    one = scheme.sample(np.random.default_rng(1))
    assert one.shape == (scheme.p,)
    w = scheme.ht_weights(one)
    assert np.allclose(w, one / pi)


def test_uniform_batches_have_exactly_r() -> None:
    m = Uniform(7, 3).sample_many(np.random.default_rng(0), 1000)
    assert set(m.sum(axis=1).tolist()) == {3}


def test_immutable_and_hashable() -> None:
    s = Uniform(4, 2)
    with pytest.raises(Exception):
        s.r = 3  # type: ignore[misc]
    assert hash(s) == hash(Uniform(4, 2)) and s == Uniform(4, 2)


BAD = [
    (Bernoulli, (3, 0), "q"),
    (Bernoulli, (3, "3/2"), "q"),
    (Bernoulli, (3, 0.5), "q=0.5"),
    (Uniform, (3, 4), "r"),
    (Uniform, (3, 0), "r"),
    (Full, (0,), "p"),
    (Full, (2.0,), "p"),
    (Partition, ([[0, 0], [1]],), "duplicate"),
    (Partition, ([[0, 3], [1]],), "out of range"),
    (Partition, ([[0, 1], [1, 2]],), "blocks"),
    (Partition, ([[0, 1], []],), "empty"),
    (FiniteFamily, (2, [[0, 1]], ["1/2"]), "sum"),
    (FiniteFamily, (2, [[0, 2]], [1]), "out of range"),
    (FiniteFamily, (2, [[0, 0]], [1]), "duplicate"),
    (FiniteFamily, (2, [[0]], [1]), "pi[1] = 0"),
    (FiniteFamily, (2, [[0], [1]], ["3/2", "-1/2"]), "negative"),
    (FiniteFamily, (2, [[0], [1]], [0.5, 0.5]), "probs[0]"),
    (drop_one, (1,), "p >= 2"),
]


@pytest.mark.parametrize("fn,args,needle", BAD)
def test_invalid_schemes_raise_naming_the_field(fn, args, needle) -> None:
    with pytest.raises(InvalidArgument, match=needle.replace("[", r"\[").replace("]", r"\]")):
        fn(*args)


def test_too_large_to_enumerate() -> None:
    with pytest.raises(InvalidArgument, match="too large to enumerate"):
        Uniform(30, 15).enumerate_law()
    assert len(Bernoulli(10, "1/3").enumerate_law(limit=1024)) == 1024
    with pytest.raises(InvalidArgument, match="too large"):
        Bernoulli(11, "1/3").enumerate_law(limit=1024)


def test_bad_rng_and_mask() -> None:
    with pytest.raises(InvalidArgument, match="Generator"):
        Uniform(3, 1).sample(0)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="shape"):
        Uniform(3, 1).ht_weights(np.ones(4, dtype=bool))
    with pytest.raises(InvalidArgument, match="out of range"):
        Uniform(3, 1).pi_pair(0, 3)
