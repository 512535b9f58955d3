"""Property tests (hypothesis) for the random-batch dynamics claims of issue 6."""

import itertools
from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from nncert.constructions.batches import Bernoulli, FiniteFamily, Partition, Uniform
from nncert.constructions.rbm_dropout import euler_exact, residual_dropout_network
from nncert.constructions.rbm_experiments import gauss_tv, ht_variance_exact
from nncert.constructions.rbm_fields import random_classification_field
from nncert.verify.exact import evaluate
from nncert.verify.rbm_dynamics import integrate, make_grid
from nncert.verify.rbm_reference import solve_one, tv_quad

small_q = st.fractions(min_value=Fraction(1, 5), max_value=1, max_denominator=6).filter(lambda q: q > 0)


@st.composite
def schemes(draw, p):
    kind = draw(st.sampled_from(["bernoulli", "uniform", "partition", "family"]))
    if kind == "bernoulli":
        return Bernoulli(p, draw(small_q))
    if kind == "uniform":
        return Uniform(p, draw(st.integers(1, p)))
    if kind == "partition":
        labels = draw(st.lists(st.integers(0, 2), min_size=p, max_size=p))
        blocks = [[i for i in range(p) if labels[i] == b] for b in range(3)]
        return Partition([b for b in blocks if b])
    n = draw(st.integers(1, 3))
    batches = [draw(st.lists(st.integers(0, p - 1), min_size=1, max_size=p, unique=True)) for _ in range(n)]
    batches.append(list(range(p)))  # every index has pi_i > 0
    w = [draw(st.integers(1, 4)) for _ in batches]
    return FiniteFamily(p, batches, [Fraction(x, sum(w)) for x in w])


vectors = st.lists(st.lists(st.integers(-4, 4).map(lambda k: Fraction(k, 2)), min_size=2, max_size=2), min_size=2,
                   max_size=4)


@settings(deadline=None, max_examples=60)
@given(data=st.data(), v=vectors, K=st.integers(1, 2))
def test_constant_field_identity_is_exact_over_the_enumerated_law(data, v, K):
    """E|x^h(T) - x(T)|^2 = T h Var exactly (state-independent field), by enumerating law^K."""
    p = len(v)
    sch = data.draw(schemes(p))
    law = sch.enumerate_law()
    pi = sch.pi()
    h = Fraction(1, K)
    expect = Fraction(0)
    for combo in itertools.product(law, repeat=K):
        prob = Fraction(1)
        dev = [Fraction(0), Fraction(0)]
        for B, q in combo:
            prob *= q
            for i in range(p):
                c = (1 / pi[i] if i in B else 0) - 1
                dev = [dev[a] + h * c * v[i][a] for a in range(2)]
        expect += prob * (dev[0] ** 2 + dev[1] ** 2)
    assert expect == 1 * h * ht_variance_exact(sch, v)


@settings(deadline=None, max_examples=40)
@given(data=st.data(), p=st.integers(1, 4), K=st.integers(1, 3), q=small_q,
       h=st.sampled_from([Fraction(1, 2), Fraction(1, 3), Fraction(1, 4)]))
def test_euler_h_eq_dt_is_the_residual_dropout_network(data, p, K, q, h):
    ints = st.integers(-6, 6).map(lambda k: Fraction(k, 3))
    A = [[data.draw(ints) for _ in range(2)] for _ in range(p)]
    b = [data.draw(ints) for _ in range(p)]
    W = [[data.draw(ints) for _ in range(p)] for _ in range(2)]
    masks = [[data.draw(st.integers(0, 1)) for _ in range(p)] for _ in range(K)]
    x = [data.draw(ints), data.draw(ints)]
    net = residual_dropout_network(A, b, W, masks, q, h)
    assert evaluate(net, x) == euler_exact(A, b, W, masks, q, h, x)


@settings(deadline=None, max_examples=60)
@given(m1=st.floats(-2, 2), m2=st.floats(-2, 2), s1=st.floats(0.3, 3), s2=st.floats(0.3, 3))
def test_gaussian_tv_closed_form_equals_quadrature(m1, m2, s1, s2):
    assert abs(gauss_tv(m1, s1, m2, s2) - tv_quad(m1, s1, m2, s2)) < 1e-8


@settings(deadline=None, max_examples=25)
@given(seed=st.integers(0, 10**6), act=st.sampled_from(["tanh", "relu", "gelu"]), method=st.sampled_from(["euler", "rk4"]),
       r=st.integers(1, 5))
def test_ensemble_integrator_agrees_with_the_dense_reference(seed, act, method, r):
    """Fast compacted ensemble (verify.rbm_dynamics) vs the checker's dense loop (verify.rbm_reference)."""
    fld = random_classification_field(5, seed=seed, act=act)
    sch = Uniform(5, r)
    rng = np.random.default_rng(seed)
    g = make_grid(1, Fraction(1, 4), Fraction(1, 8))
    masks = np.stack([sch.sample_many(rng, g.n_switch) for _ in range(3)])
    x0 = rng.normal(size=(2, 2))
    ens = integrate(fld, x0, g, method, masks, sch.pi()).states
    A, b, W = fld.control.at(0.0)
    for k in range(3):
        ref = solve_one(A, b, W, act, x0, masks[k], [float(v) for v in sch.pi()], g.T, g.h, g.dt, method, g.h)
        assert np.max(np.abs(ref - ens[:, k])) < 1e-12
