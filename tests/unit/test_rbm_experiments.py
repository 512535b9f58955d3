"""Unit tests: rates experiment, executors (bit-identical), exact TV case, certificates of issue 6."""

import copy
import json
from fractions import Fraction

import numpy as np
import pytest

from nncert.constructions.rbm_experiments import (
    fit_slope, gauss_tv, gaussian_tv, ht_variance_exact, parse_scheme, rates, two_circles,
)
from nncert.constructions.rbm_fields import random_classification_field
from nncert.core import Certificate, Status
from nncert.errors import InvalidArgument, InvalidCertificate
from nncert.parallel import ProcessExecutor, SerialExecutor, make_executor
from nncert.verify.rbm_reference import tv_quad

HS = [Fraction(1, 2), Fraction(1, 4), Fraction(1, 8)]


def _small_rates(ex):
    fld = random_classification_field(6, seed=1)
    X, _, _ = two_circles(6)
    sch = {"u": parse_scheme("uniform:2", 6), "b": parse_scheme("bernoulli:1/2", 6)}
    return rates(fld, X, sch, HS, n_schedules=20, sub=2, n_boot=50, executor=ex)


def _same(r1, r2):
    for name in r1.schemes:
        for a, b in zip(r1.mean_curve[name], r2.mean_curve[name]):
            assert np.array_equal(a, b)
        assert np.array_equal(r1.sup_E[name], r2.sup_E[name])
        assert np.array_equal(r1.E_sup[name], r2.E_sup[name])
        assert r1.slope["sup_E"][name] == r2.slope["sup_E"][name]


def test_processes_give_bit_identical_numbers():
    serial = _small_rates(SerialExecutor())
    with ProcessExecutor(2) as ex:
        _same(serial, _small_rates(ex))


def test_dask_local_gives_bit_identical_numbers():
    pytest.importorskip("dask.distributed")
    serial = _small_rates(SerialExecutor())
    with make_executor(dask="local") as ex:
        assert ex.name == "dask"
        _same(serial, _small_rates(ex))


def test_seed_changes_the_numbers():
    fld = random_classification_field(6, seed=1)
    X, _, _ = two_circles(6)
    sch = {"u": parse_scheme("uniform:2", 6)}
    a = rates(fld, X, sch, HS, n_schedules=8, sub=2, n_boot=10, seed=0)
    b = rates(fld, X, sch, HS, n_schedules=8, sub=2, n_boot=10, seed=1)
    assert not np.array_equal(a.sup_E["u"], b.sup_E["u"])


def test_fit_slope_recovers_a_power_law():
    h = np.array([0.5, 0.25, 0.125])
    s, a = fit_slope(h, 3.0 * h ** 0.5)
    assert abs(s - 0.5) < 1e-12 and abs(a - np.log(3.0)) < 1e-12


def test_ht_variance_bernoulli_closed_form():
    # Bernoulli(q): Var = (1-q)/q sum |v_i|^2 (design note table), independent of the generic formula's shape
    v = [[Fraction(1), Fraction(2)], [Fraction(-1, 2), Fraction(0)], [Fraction(3), Fraction(1)]]
    q = Fraction(1, 3)
    assert ht_variance_exact(parse_scheme("bernoulli:1/3", 3), v) == (1 - q) / q * sum(a * a + b * b for a, b in v)


@pytest.mark.parametrize("args", [(0, 1, 0, 1), (0, 1, 0.3, 1), (0.2, 1, 0.1, 1.3), (1, 2, -1, 0.5), (0, 1, 0, 1.01)])
def test_gauss_tv_closed_form_matches_quadrature(args):
    assert abs(gauss_tv(*args) - tv_quad(*args)) < 1e-9


def test_gaussian_tv_rate_and_asymptote():
    g = gaussian_tv([Fraction(1, 4), Fraction(-1, 8), Fraction(1, 8)], parse_scheme("bernoulli:1/2", 3),
                    [Fraction(1, 2**k) for k in range(1, 7)])
    assert 0.4 <= g["slope"] <= 0.6
    assert all(abs(r["ratio"] - 1) < 0.05 for r in g["rows"][-2:])
    # Bernoulli(1/2): Var = (1-q)/q sum lam^2 = 1/16 + 1/64 + 1/64
    assert g["var_exact"] == Fraction(3, 32)


@pytest.mark.parametrize("spec", ["nope", "uniform:x", "partition:5", "bernoulli:3/2", "family:0|1:1/2"])
def test_parse_scheme_rejects(spec):
    with pytest.raises(InvalidArgument):
        parse_scheme(spec, 6)


def test_make_executor_rejects_bad_args():
    with pytest.raises(InvalidArgument):
        make_executor(jobs=-1)
    with pytest.raises(InvalidArgument):
        make_executor(dask="not an address")


# ---- certificates ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def traj_cert():
    from nncert.proofs.claims import p2_trajectory_rate as m

    return m.certify(p=6, n_points=5, schemes=("uniform:2", "partition:3"), hs=HS, n_schedules=16, sub=2,
                     const_schedules=64)


def _mutate(cert, fn):
    obj = json.loads(cert.dumps())
    fn(obj)
    return Certificate.from_json(obj)


def test_trajectory_certificate_roundtrip_and_check(traj_cert):
    from nncert.proofs.claims import p2_trajectory_rate as m

    again = Certificate.loads(traj_cert.dumps())
    v = m.check(again)
    assert v.status in (Status.HOLDS, Status.UNKNOWN)  # slopes at tiny sizes are statistical
    assert any("statistical" in a for a in v.admitted)
    assert all(p.status is not Status.REFUTED for p in v.parts)


@pytest.mark.parametrize("where", ["sup_E", "esup0", "mask", "var", "first_error", "slope"])
def test_trajectory_tampering_is_refuted(traj_cert, where):
    from nncert.proofs.claims import p2_trajectory_rate as m

    def fn(o):
        r = o["witness"]["results"]["uniform:2"]
        if where == "sup_E":
            r["per_h"][1]["sup_E"] = repr(float(r["per_h"][1]["sup_E"]) * 1.01)
        elif where == "esup0":
            lst = r["per_h"][0]["esup_per_schedule"]
            lst[0] = repr(float(lst[0]) * 1.001 + 1e-6)
        elif where == "mask":
            mk = r["per_h"][2]["first_masks"][0]
            mk[0] = "".join("1" if c == "0" else "0" for c in mk[0])  # complement: wrong size for uniform:2 of 6
        elif where == "var":
            o["witness"]["constant_field"]["rows"][0]["var_exact"] = "1"
        elif where == "first_error":
            fe = o["witness"]["constant_field"]["rows"][1]["first_errors"]
            fe[0] = repr(float(fe[0]) + 0.5)
        else:
            r["slopes"]["sup_E"]["slope"] = "0.99"
    assert m.check(_mutate(traj_cert, fn)).status is Status.REFUTED


def test_trajectory_malformed_is_invalid(traj_cert):
    from nncert.proofs.claims import p2_trajectory_rate as m

    for fn in (lambda o: o["params"].pop("T"), lambda o: o["witness"]["results"].clear(),
               lambda o: o["witness"]["field"].update(A="x"),
               lambda o: o["witness"]["results"]["uniform:2"]["per_h"][0].update(sup_E="nan")):
        with pytest.raises(InvalidCertificate):
            m.check(_mutate(traj_cert, fn))


def test_tv_certificate_and_tampering():
    from nncert.proofs.claims import p2_tv_rate as m

    cert = m.certify(hs=[Fraction(1, 2**k) for k in range(1, 5)], n_small=1)
    assert m.check(Certificate.loads(cert.dumps())).status is Status.HOLDS
    bad = _mutate(cert, lambda o: o["witness"]["gaussian"]["rows"][2].update(E_tv="0.5"))
    assert m.check(bad).status is Status.REFUTED
    bad = _mutate(cert, lambda o: o["witness"]["gaussian"].update(var_exact="1/7"))
    assert m.check(bad).status is Status.REFUTED
    bad = _mutate(cert, lambda o: o["params"].update(slope_band=["3/5", "1"]))
    assert m.check(bad).status is Status.REFUTED


def test_bernoulli_dropout_residual_claim_and_tampering():
    from nncert.proofs.claims import p2_bernoulli_dropout_residual as m

    cert = m.certify(p=5, K=4, n_points=3, seed=3)
    assert m.check(Certificate.loads(cert.dumps())).status is Status.HOLDS
    # flip one mask bit: network and outputs no longer match the masks
    bad = _mutate(cert, lambda o: o["witness"]["masks"].__setitem__(
        0, ("0" if o["witness"]["masks"][0][0] == "1" else "1") + o["witness"]["masks"][0][1:]))
    assert m.check(bad).status is Status.REFUTED
    bad = _mutate(cert, lambda o: o["params"].update(drop_probability="1/3"))
    assert m.check(bad).status is Status.REFUTED
    bad = _mutate(cert, lambda o: o["witness"]["outputs"][1].__setitem__(0, "7/3"))
    assert m.check(bad).status is Status.REFUTED
    bad = _mutate(cert, lambda o: o["witness"]["scheme"].update(q="1/3"))
    assert m.check(bad).status is Status.REFUTED


def test_float_euler_equals_dropout_network_numerically():
    # the numeric integrator with h = dt and Bernoulli masks reproduces the exact residual dropout network
    from nncert.constructions.batches import Bernoulli
    from nncert.constructions.rbm_dropout import residual_dropout_network
    from nncert.constructions.rbm_fields import ClassificationField
    from nncert.verify.rbm_dynamics import integrate, make_grid

    rng = np.random.default_rng(4)
    A, b, W = rng.integers(-4, 5, (5, 2)) / 4, rng.integers(-4, 5, 5) / 4, rng.integers(-4, 5, (2, 5)) / 4
    s = Bernoulli(5, Fraction(1, 3))
    masks = s.sample_many(rng, 4)
    net = residual_dropout_network([[Fraction(v) for v in r] for r in A], [Fraction(v) for v in b],
                                   [[Fraction(v) for v in r] for r in W], masks.astype(int).tolist(), "1/3", "1/4")
    X = rng.normal(size=(6, 2))
    fld = ClassificationField.constant(A, b, W, "relu")
    got = integrate(fld, X, make_grid(1, "1/4", "1/4"), "euler", masks, s.pi()).states[-1, 0]
    assert np.allclose(got, net.evaluate_float(X), atol=1e-12)


def test_training_claim_holds_and_detects_a_wrong_gradient():
    from nncert.proofs.claims import p2_training_deviation as m

    cert = m.certify(p=4, n_points=4, scheme="uniform:2", n_schedules=3, iters=3, hs=HS, dt=Fraction(1, 8), L=2)
    v = m.check(Certificate.loads(cert.dumps()))
    assert v.parts[0].status is Status.HOLDS and "relative error" in v.parts[0].evidence

    def bump(o):
        g = o["witness"]["fd"]["grad_adjoint"]
        g[3] = repr(float(g[3]) * (1 + 1e-4) + 1e-4)
    assert m.check(_mutate(cert, bump)).parts[0].status is Status.REFUTED
    assert m.check(_mutate(cert, lambda o: o["witness"]["rows"][1].update(J_first="1.5"))).status is Status.REFUTED


def test_adjoint_matches_fd_for_every_activation_and_full_model():
    from nncert.constructions.rbm_training import Problem, fd_check, random_controls, schedule_weights

    X, _, Y = two_circles(4)
    u = random_controls(4, 2, 2, seed=3)
    s = parse_scheme("bernoulli:1/2", 4)
    for act in ("tanh", "relu", "gelu"):
        prob = Problem(X, Y, dt=Fraction(1, 8), L=2, act=act)
        for C in (schedule_weights(prob, 4, s.sample_many(np.random.default_rng(1), 4), s.pi(), Fraction(1, 4)),
                  schedule_weights(prob, 4, None, None, Fraction(1, 4))):
            assert fd_check(prob, u, C)["rel_err"] <= 1e-6


def test_calibration_claim_and_tampering():
    from nncert.proofs.claims import p2_optimal_h_calibration as m

    cert = m.certify(p=8, r=4, n_points=4, ns=(2, 4, 8), n_schedules=4, eps_targets=("1",))
    v = m.check(Certificate.loads(cert.dumps()))
    assert all(p.status is not Status.REFUTED for p in v.parts)
    assert m.check(_mutate(cert, lambda o: o["witness"].update(S="0.5"))).status is Status.REFUTED
    assert m.check(_mutate(cert, lambda o: o["witness"]["rows"][0].update(full_err="0.5"))).status is Status.REFUTED
    assert m.check(_mutate(cert, lambda o: o["witness"]["targets"][0].update(h_star="0.25"))).status is Status.REFUTED


def test_h_star_solves_the_error_model():
    from nncert.proofs.claims.p2_optimal_h_calibration import _h_star

    for eps, S, a in ((0.1, 2.0, 0.3), (1.0, 0.01, 5.0), (0.5, 3.0, 1e-9)):
        h = _h_star(eps, S, a)
        assert abs(np.sqrt(S * h) + a * h - eps) < 1e-12


def test_checking_rbm_certificates_imports_no_constructions(traj_cert, tmp_path):
    import subprocess
    import sys

    from nncert.proofs.claims import p2_bernoulli_dropout_residual as d

    paths = [tmp_path / "t.json", tmp_path / "d.json"]
    traj_cert.save(str(paths[0]))
    d.certify(p=3, K=2, n_points=2).save(str(paths[1]))
    code = ("import sys\nfrom nncert.core import Certificate\nfrom nncert.proofs import check_certificate\n"
            f"for f in {[str(p) for p in paths]!r}:\n    check_certificate(Certificate.load(f))\n"
            "bad = [m for m in sys.modules if m.startswith('nncert.constructions')]\nassert not bad, bad\n")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).returncode == 0


def test_checkers_survive_mutated_certificates():
    """Random leaf mutations: every checker answers with a verdict or an NncertError, never another exception."""
    import random

    from nncert.errors import NncertError
    from nncert.proofs.claims import p2_bernoulli_dropout_residual as e
    from nncert.proofs.claims import p2_optimal_h_calibration as d
    from nncert.proofs.claims import p2_training_deviation as c
    from nncert.proofs.claims import p2_tv_rate as b

    certs = [(b, b.certify(hs=HS, n_small=1)),
             (c, c.certify(p=3, n_points=3, scheme="uniform:2", n_schedules=2, iters=1, hs=HS, dt=Fraction(1, 8), L=1,
                           fresh=False)),
             (d, d.certify(p=4, r=2, n_points=2, ns=(2, 4), n_schedules=2, eps_targets=("1",))),
             (e, e.certify(p=2, K=2, n_points=1))]

    def leaves(o, path=()):
        if isinstance(o, dict):
            for k, v in o.items():
                yield from leaves(v, path + (k,))
        elif isinstance(o, list):
            for i, v in enumerate(o):
                yield from leaves(v, path + (i,))
        if path:
            yield path

    values = [None, 1, "x", "-1", "0", "1/0", [], {}, "nan", ["1"], "99999999", "0.5", True, "7/3"]
    rng = random.Random(11)
    for m, cert in certs:
        base = json.loads(cert.dumps())
        paths = list(leaves({"params": base["params"], "witness": base["witness"]}))
        for _ in range(15):
            o = copy.deepcopy(base)
            path = rng.choice(paths)
            tgt = o
            for k in path[:-1]:
                tgt = tgt[k]
            tgt[path[-1]] = rng.choice(values)
            try:
                m.check(Certificate.from_json(o))
            except NncertError:
                pass
