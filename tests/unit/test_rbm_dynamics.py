"""Unit tests: random-batch fields, aligned integrators, ensembles, executors (issue 6)."""

from fractions import Fraction

import numpy as np
import pytest

from nncert.constructions.batches import Bernoulli, Full, Partition, Uniform
from nncert.constructions.rbm_fields import (
    ClassificationField, Constant, ContributionField, FlowField, PiecewiseConstant, TimeNetwork,
    random_classification_field,
)
from nncert.errors import InvalidArgument
from nncert.verify.rbm_dynamics import integrate, make_grid


def _fields():
    rng = np.random.default_rng(5)
    p, d = 6, 2
    yield random_classification_field(p, d, seed=3, act="tanh")
    yield random_classification_field(p, d, seed=4, act="relu")
    yield random_classification_field(p, d, seed=5, act="gelu")
    yield ClassificationField(PiecewiseConstant(rng.normal(size=(3, p, d)), rng.normal(size=(3, p)),
                                                rng.normal(size=(3, d, p))), "tanh")
    yield ClassificationField(TimeNetwork(rng.normal(size=(p, d)), rng.normal(size=p), rng.normal(size=(d, p)),
                                          rng.normal(size=(2, p, d)), rng.normal(size=(2, p)), rng.normal(size=(2, d, p)),
                                          rng.normal(size=2), rng.normal(size=2)), "gelu")
    yield FlowField(rng.normal(size=(p, d)), rng.normal(size=p), rng.normal(size=p), rng.normal(size=(d, p)))
    V = rng.normal(size=(p, d))
    yield ContributionField(p, d, lambda t, X: np.tanh(X[..., None, :] * V + t))


@pytest.mark.parametrize("fld", list(_fields()), ids=repr)
@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_ensemble_matches_one_by_one(fld, method):
    g = make_grid(1, "1/4", "1/16")
    s = Bernoulli(fld.p, Fraction(1, 2))
    rng = np.random.default_rng(0)
    masks = np.stack([s.sample_many(rng, g.n_switch) for _ in range(5)])
    x0 = np.random.default_rng(1).normal(size=(3, 2))
    ens = integrate(fld, x0, g, method, masks, s.pi()).states
    for k in range(5):
        one = integrate(fld, x0, g, method, masks[k], s.pi()).states[:, 0]
        assert np.max(np.abs(one - ens[:, k])) <= 1e-12


def test_full_model_is_the_one_batch_special_case():
    fld = random_classification_field(8, seed=2)
    g = make_grid(1, "1/8", "1/32")
    x0 = np.random.default_rng(1).normal(size=(4, 2))
    full = integrate(fld, x0, g, "rk4").states
    one = integrate(fld, x0, g, "rk4", np.ones((g.n_switch, 8), bool), Full(8).pi()).states
    assert np.max(np.abs(full - one)) <= 1e-12


def test_batch_is_held_for_every_rk_stage_including_the_switching_time():
    calls = []

    class Probe:
        p, d = 2, 1

        def eval(self, t, X, idx=None, wts=None):
            calls.append((t, tuple(idx[0].tolist()), tuple(wts[0].tolist())))
            return np.zeros_like(X)

    g = make_grid(1, "1/2", "1/2")
    masks = np.array([[True, False], [False, True]])
    integrate(Probe(), np.zeros((1, 1)), g, "rk4", masks, [Fraction(1, 2)] * 2)
    # step 1 covers [0, 1/2]: all four stages (t = 0, 1/4, 1/4, 1/2) use batch {0}; step 2 uses batch {1}
    assert [c[0] for c in calls] == [0.0, 0.25, 0.25, 0.5, 0.5, 0.75, 0.75, 1.0]
    assert [c[1] for c in calls] == [(0,)] * 4 + [(1,)] * 4
    assert all(c[2] == (2.0,) for c in calls)


def test_constant_field_error_is_the_ht_increment_sum():
    rng = np.random.default_rng(3)
    V = rng.integers(-4, 5, size=(6, 2)) / 4.0
    fld = ContributionField(6, 2, lambda t, X: np.broadcast_to(V, X.shape[:-1] + V.shape))
    s = Uniform(6, 2)
    g = make_grid(1, "1/8", "1/16")
    masks = s.sample_many(rng, g.n_switch)
    x_rb = integrate(fld, np.zeros((1, 2)), g, "euler", masks, s.pi()).states[-1, 0, 0]
    # independent: x^h(T) - x(T) = h sum_k sum_i (m_ki / pi_i - 1) v_i, with pi_i = 1/3
    expected = sum((3.0 * masks[k, i] - 1.0) * V[i] for k in range(8) for i in range(6)) / 8 + V.sum(0)
    assert np.allclose(x_rb, expected, atol=1e-13)


def test_rk4_is_fourth_order_on_a_linear_field():
    fld = ClassificationField.constant(np.eye(1), np.zeros(1), np.eye(1), "relu")  # x' = relu(x) = x for x > 0
    errs = []
    for k in (3, 4, 5):
        g = make_grid(1, Fraction(1, 2**k), Fraction(1, 2**k))
        errs.append(abs(integrate(fld, np.ones((1, 1)), g, "rk4").states[-1, 0, 0, 0] - np.e))
    assert 14 < errs[0] / errs[1] < 18 and 14 < errs[1] / errs[2] < 18


def test_flow_divergence_matches_finite_differences():
    rng = np.random.default_rng(7)
    F = FlowField(rng.normal(size=(5, 2)), rng.normal(size=5), rng.normal(size=5), rng.normal(size=(2, 5)))
    x = rng.normal(size=(1, 1, 2))
    eps = 1e-6
    fd = sum((F.eval(0.3, x + eps * e)[0, 0, a] - F.eval(0.3, x - eps * e)[0, 0, a]) / (2 * eps)
             for a, e in enumerate(np.eye(2)[:, None, None, :]))
    assert abs(F.divergence(0.3, x)[0, 0] - fd) < 1e-7
    idx, wts = np.array([[1, 3]]), np.array([[2.0, 0.5]])
    fdb = sum((F.eval(0.3, x + eps * e, idx, wts)[0, 0, a] - F.eval(0.3, x - eps * e, idx, wts)[0, 0, a]) / (2 * eps)
              for a, e in enumerate(np.eye(2)[:, None, None, :]))
    assert abs(F.divergence(0.3, x, idx, wts)[0, 0] - fdb) < 1e-7


@pytest.mark.parametrize("act", ["tanh", "relu", "gelu"])
def test_jacobian_vjp_matches_finite_differences(act):
    F = random_classification_field(7, 3, seed=11, act=act)
    rng = np.random.default_rng(2)
    X, lam = rng.normal(size=(1, 4, 3)), rng.normal(size=(1, 4, 3))
    eps = 1e-6
    got = F.jacobian_vjp(0.0, X, lam)
    for a in range(3):
        e = np.zeros(3)
        e[a] = eps
        fd = np.sum((F.eval(0.0, X + e) - F.eval(0.0, X - e)) * lam, axis=-1) / (2 * eps)
        assert np.allclose(got[..., a], fd, atol=1e-6)


@pytest.mark.parametrize("call", [
    lambda: make_grid(1, "1/3", "1/7"),
    lambda: make_grid(1, "0.3"),
    lambda: make_grid(0, "1/2"),
    lambda: make_grid(1, "-1/2"),
    lambda: make_grid(1, 0.1),
    lambda: make_grid(1, "1/2", float("nan")),
    lambda: integrate(random_classification_field(3), np.zeros((2, 2)), make_grid(1, "1/2"), "heun"),
    lambda: integrate(random_classification_field(3), np.zeros((2, 3)), make_grid(1, "1/2")),
    lambda: integrate(random_classification_field(3), np.zeros((2, 2)), make_grid(1, "1/2"), "rk4",
                      np.ones((3, 3), bool), [1, 1, 1]),
    lambda: integrate(random_classification_field(3), np.zeros((2, 2)), make_grid(1, "1/2"), "rk4",
                      np.ones((2, 3), bool)),
    lambda: integrate(random_classification_field(3), np.zeros((2, 2)), make_grid(1, "1/2"), "rk4",
                      np.full((2, 3), 2), [1, 1, 1]),
    lambda: integrate(random_classification_field(3), np.zeros((2, 2)), make_grid(1, "1/2", "1/4"), "rk4",
                      record_every="1/8"),
    lambda: ClassificationField.constant(np.eye(2), np.zeros(3), np.eye(2)),
    lambda: ClassificationField.constant(np.eye(2), np.zeros(2), np.eye(2), "sigmoid"),
    lambda: Constant(np.array([[np.nan]]), [0.0], [[1.0]]),
    lambda: ContributionField(0, 2, lambda t, X: X),
])
def test_bad_input_raises_invalid_argument(call):
    with pytest.raises(InvalidArgument):
        call()


def test_misalignment_message_names_the_values():
    with pytest.raises(InvalidArgument, match=r"h/dt = 7/3 .*h=1/3, dt=1/7"):
        make_grid(1, "1/3", "1/7")


def test_partition_masks_cost_follows_batch_size():
    calls = []

    class Probe:
        p, d = 6, 1

        def eval(self, t, X, idx=None, wts=None):
            calls.append(idx.shape)
            return np.zeros_like(X)

    s = Partition([[0, 1], [2, 3], [4, 5]])
    integrate(Probe(), np.zeros((1, 1)), make_grid(1, "1/2"), "euler",
              s.sample_many(np.random.default_rng(0), 2)[None], s.pi())
    assert calls == [(1, 2), (1, 2)]
